import { describe, expect, it } from "vitest";
import { answerText, articleSteps } from "./answer.ts";
import { formatDue, renderTemplate } from "./template.ts";

const due = new Date("2026-11-28T15:00:00Z");
const first = new Date("2026-11-27T09:30:00Z");
/** When the texts are written: the deadlines fall in the year under way. */
const now = new Date("2026-11-26T10:00:00Z");

const NONE = { firstResponseDueAt: null, resolutionDueAt: null };

describe("renderTemplate", () => {
  it("fills name, number and each due time in Moscow time", () => {
    const r = renderTemplate(
      "Здравствуйте, {{имя}}! Обращение № {{ номер }}: ответим до {{срок_ответа}}, решим до {{срок_решения}}.",
      { name: "Анна", number: "1000013", firstResponseDueAt: first, resolutionDueAt: due, now },
    );
    expect(r).toEqual({
      text:
        "Здравствуйте, Анна! Обращение № 1000013: ответим до 27 ноября в 12:30 по московскому времени (пятница), " +
        "решим до 28 ноября в 18:00 по московскому времени (суббота).",
      unknown: [],
    });
  });

  it("{{срок}} is the first answer's due time until the first answer, then the resolution's", () => {
    const values = { name: null, number: "1", firstResponseDueAt: first, resolutionDueAt: due, now };
    expect(renderTemplate("до {{срок}}", values).text).toBe("до 27 ноября в 12:30 по московскому времени (пятница)");
    expect(renderTemplate("до {{срок}}", { ...values, answered: true }).text).toBe(
      "до 28 ноября в 18:00 по московскому времени (суббота)",
    );
  });

  it("drops the name with its comma when there is none, before or after it", () => {
    const none = { name: null, number: "1", ...NONE };
    expect(renderTemplate("Здравствуйте, {{имя}}!", none).text).toBe("Здравствуйте!");
    expect(renderTemplate("{{Имя}}, добрый день!", { ...none, name: "  " }).text).toBe("Добрый день!");
    expect(renderTemplate("Спасибо. {{имя}}, проверьте почту.", none).text).toBe("Спасибо. Проверьте почту.");
    expect(renderTemplate("Строка\n{{имя}}, здравствуйте!", none).text).toBe("Строка\nЗдравствуйте!");
    expect(renderTemplate("{{имя}}, добрый день!", { ...none, name: "Анна" }).text).toBe("Анна, добрый день!");
  });

  it("greets by name or without it, never with a dangling comma", () => {
    const none = { name: null, number: "1", ...NONE };
    expect(renderTemplate("{{приветствие}}", none).text).toBe("Здравствуйте!");
    expect(renderTemplate("{{приветствие}}", { ...none, name: " Анна " }).text).toBe("Здравствуйте, Анна!");
    expect(renderTemplate("{{приветствие}}", none).text).not.toMatch(/^,|, здравствуйте/i);
  });

  it("says «soon» without a due time, the preposition dropped, and takes a stand-in after the bar", () => {
    const none = { name: null, number: "1", ...NONE };
    expect(renderTemplate("Ответим до {{срок_ответа}}.", none).text).toBe("Ответим в ближайшее время.");
    expect(renderTemplate("Решим {{срок_решения}}.", none).text).toBe("Решим в ближайшее время.");
    expect(renderTemplate("С уважением, {{оператор|служба поддержки}}", none).text).toBe(
      "С уважением, служба поддержки",
    );
    expect(renderTemplate("{{оператор|служба поддержки}}", { ...none, operator: "Инна" }).text).toBe("Инна");
    expect(renderTemplate("Уважаемый(ая) {{имя|заявитель}}", none).text).toBe("Уважаемый(ая) заявитель");
  });

  it("leaves unknown placeholders as written and lists each once", () => {
    const r = renderTemplate("{{подпись}} {{подпись}} {{оператор}}", {
      name: null,
      number: "1",
      ...NONE,
      operator: "Инна",
    });
    expect(r).toEqual({ text: "{{подпись}} {{подпись}} Инна", unknown: ["подпись"] });
  });

  it("formats a due time with the Moscow offset whatever the server's zone, naming a year not under way", () => {
    const newYear = new Date("2026-12-31T21:30:00Z");
    expect(formatDue(newYear, now)).toBe("1 января 2027 г. в 00:30 по московскому времени (пятница)");
    expect(formatDue(newYear, new Date("2027-01-01T09:00:00Z"))).toBe(
      "1 января в 00:30 по московскому времени (пятница)",
    );
  });
});

describe("answerText", () => {
  const body = `Вступление.\n\n## Шаги\n\n1. Откройте **страницу входа**.\n2. Нажмите [«Восстановить»](https://example.ru).\n\n3. Введите код.\n\nПосле списка.\n\n1. Второй список.`;

  it("takes the first numbered list, markup stripped", () => {
    expect(articleSteps(body)).toEqual(["Откройте страницу входа.", "Нажмите «Восстановить».", "Введите код."]);
  });

  it("puts summary, steps and the public link together", () => {
    expect(answerText({ slug: "password-recovery", summary: "Кратко.", body }, "https://help.example.ru/")).toBe(
      "Кратко.\n\n1. Откройте страницу входа.\n2. Нажмите «Восстановить».\n3. Введите код.\n\nПодробнее: https://help.example.ru/help/password-recovery",
    );
    expect(answerText({ slug: "a", summary: "", body: "Без шагов." }, "http://x")).toBe("Подробнее: http://x/help/a");
  });
});
