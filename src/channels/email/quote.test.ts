import { describe, expect, it } from "vitest";
import { splitReply } from "./quote.ts";

describe("splitReply", () => {
  it("keeps a letter without history whole", () => {
    expect(splitReply("Здравствуйте!\n\nНе приходит код.\n")).toEqual({
      text: "Здравствуйте!\n\nНе приходит код.",
    });
  });

  it("sets «> » quotation apart", () => {
    const r = splitReply("Спасибо, помогло.\n\n> Очистите кэш браузера.\n> С уважением, поддержка");
    expect(r.text).toBe("Спасибо, помогло.");
    expect(r.quoted).toContain("> Очистите кэш браузера.");
  });

  it("cuts at «… пишет:» with the history below it", () => {
    const r = splitReply(
      "Код так и не пришёл.\n\n12.05.2025, 10:14, Служба поддержки <support@example.ru> пишет:\n> Проверьте номер телефона.",
    );
    expect(r.text).toBe("Код так и не пришёл.");
    expect(r.quoted?.startsWith("12.05.2025, 10:14")).toBe(true);
  });

  it("cuts at an attribution wrapped over two lines", () => {
    const r = splitReply(
      "Thanks.\n\nOn Mon, 12 May 2025 at 10:14, Support <\nsupport@example.ru> wrote:\n> Please check the number.",
    );
    expect(r.text).toBe("Thanks.");
    expect(r.quoted).toContain("On Mon, 12 May 2025");
  });

  it("cuts at «-----Original Message-----» and at an Outlook header block", () => {
    expect(splitReply("Да, верно.\n-----Original Message-----\nFrom: x\nSent: y\n\nold").text).toBe("Да, верно.");
    expect(splitReply("Да.\n\n-----Исходное сообщение-----\nОт: x\nold").text).toBe("Да.");
    const outlook = splitReply(
      "Прилагаю скан.\n\n________________________________\nОт: Поддержка <s@example.ru>\nОтправлено: 12 мая 2025 г. 10:14\nКому: Иван\nТема: Re: ЭП\n\nСтарый текст",
    );
    expect(outlook.text).toBe("Прилагаю скан.");
    expect(outlook.quoted).toContain("Старый текст");
  });

  it("reads Gmail's and Outlook's HTML replies once they are text", async () => {
    const { readableHtml } = await import("./body.ts");
    const gmail = readableHtml(
      '<div dir="ltr">Спасибо, всё заработало.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">' +
        'пн, 12 мая 2025 г. в 10:14, Служба поддержки &lt;<a href="mailto:support@gosuslugi.example">' +
        'support@gosuslugi.example</a>&gt;:<br></div><blockquote class="gmail_quote">Очистите кэш браузера.</blockquote></div>',
    );
    expect(splitReply(gmail)).toEqual({
      text: "Спасибо, всё заработало.",
      quoted: "пн, 12 мая 2025 г. в 10:14, Служба поддержки <support@gosuslugi.example>:\n\n> Очистите кэш браузера.",
    });
    const outlook = readableHtml(
      '<div>Прилагаю файл.</div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">' +
        "<b>От:</b> Служба поддержки &lt;support@gosuslugi.example&gt;<br><b>Отправлено:</b> 12 мая 2025 г. 10:14<br>" +
        "<b>Кому:</b> Иван<br><b>Тема:</b> ЭП</div><div>Старый текст</div>",
    );
    expect(splitReply(outlook).text).toBe("Прилагаю файл.");
    expect(splitReply(outlook).quoted).toContain("Старый текст");
  });

  it("cuts at Mail.ru's attribution", () => {
    const r = splitReply(
      "Жду ответа.\n\nПонедельник, 12 мая 2025, 10:14 +03:00 от Служба поддержки <support@gosuslugi.example>:\n> Уточните номер заявления.",
    );
    expect(r.text).toBe("Жду ответа.");
  });

  it("does not cut at an ordinary sentence with «пишет» or a rule of underscores", () => {
    const text = "Сотрудник пишет: подождите.\nЯ жду уже неделю.\n__________\nИтог: ничего.";
    expect(splitReply(text).text).toBe(text);
  });

  it("sets the «-- » signature apart and keeps a closing «С уважением» in the text", () => {
    const r = splitReply("Прошу помочь.\n\nС уважением,\nИван\n-- \nИван Петров\n+7 900 000-00-00");
    expect(r.text).toBe("Прошу помочь.\n\nС уважением,\nИван");
    expect(r.signature).toBe("Иван Петров\n+7 900 000-00-00");
  });

  it("treats a mobile footer as the signature", () => {
    const r = splitReply("Не работает вход\n\nОтправлено из мобильной Почты Mail.ru");
    expect(r).toEqual({ text: "Не работает вход", signature: "Отправлено из мобильной Почты Mail.ru" });
  });

  it("keeps the lines between interleaved quotes as the new text", () => {
    const r = splitReply("> Какой у вас браузер?\nFirefox 128\n> Какая ОС?\nWindows 11");
    expect(r.text).toBe("Firefox 128\nWindows 11");
    expect(r.quoted).toBe("> Какой у вас браузер?\n> Какая ОС?");
  });

  it("takes a bare forward's content as the text", () => {
    const r = splitReply("---------- Forwarded message ---------\nFrom: a@b.ru\nDate: x\n\nold");
    expect(r.text).toContain("old");
    expect(r.quoted).toBeUndefined();
  });

  it("does not take a formal letter's opening «Кому / От / Тема» for quoted history", () => {
    const letter = "Кому: Служба поддержки\nОт: Иванова И. И.\nТема: жалоба\n\nПрошу разобраться.";
    expect(splitReply(letter)).toEqual({ text: letter });
  });
});
