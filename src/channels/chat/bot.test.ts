import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSearchIndex, loadArticlesFromDir } from "../../knowledge/index.ts";
import { BOT_TEXT, botTurn, incidentNotice, linesIntro } from "./bot.ts";

// The shipped articles, as the knowledge room loads them on first start.
const index = createSearchIndex(await loadArticlesFromDir(fileURLToPath(new URL("../../../data/kb", import.meta.url))));
const search = (q: string) => index.search(q, { limit: 5 });

describe("chatbot", () => {
  it("answers a clear question with the best articles and both buttons", () => {
    const t = botTurn("Не приходит смс с кодом подтверждения", {}, search);
    expect(t.kind).toBe("answer");
    if (t.kind !== "answer") return;
    expect(t.payload.articles?.[0]?.slug).toBe("sms-code-not-received");
    expect(t.payload.articles!.length).toBeLessThanOrEqual(3);
    expect(t.payload.articles![0]!.snippet).not.toContain("<mark>");
    expect(t.payload.buttons).toEqual(["helped", "operator"]);
  });

  it("asks one clarifying question for a text too short, then searches both texts together", () => {
    const first = botTurn("пароль", {}, search);
    expect(first).toMatchObject({ kind: "answer", body: BOT_TEXT.clarify, memory: { clarified: true } });
    if (first.kind !== "answer") return;
    const second = botTurn("забыл", first.memory, search);
    expect(second.kind).toBe("answer");
    if (second.kind !== "answer") return;
    expect(second.payload.articles?.[0]?.slug).toBe("password-recovery");
    expect(second.memory.pending).toBeUndefined();
    // Never a second clarifying question.
    const third = botTurn("ага", second.memory, search);
    expect(third.kind === "answer" && third.body).not.toBe(BOT_TEXT.clarify);
  });

  it("says it found nothing rather than guess, and offers a person", () => {
    const t = botTurn("фиолетовый слон танцует вальс", { clarified: true }, search);
    expect(t).toMatchObject({ kind: "answer", body: BOT_TEXT.notFound, payload: { buttons: ["operator"] } });
  });

  it("hands over when asked for a person", () => {
    expect(botTurn("позовите оператора", {}, search).kind).toBe("handover");
    expect(botTurn("Хочу поговорить с живым человеком", {}, search).kind).toBe("handover");
  });

  it("hands over when asked for a person on the wrong layout or in English", () => {
    for (const text of ["ghbdtn, vyt ye;ty jgthfnjh", "Позовите оператора", "operator please", "I need a human"]) {
      expect(botTurn(text, {}, search).kind, text).toBe("handover");
    }
    expect(botTurn("Не приходит смс с кодом подтверждения", {}, search).kind).toBe("answer");
  });
});

describe("the bot's outage notice", () => {
  const now = new Date("2026-12-08T10:00:00+03:00");
  const sms = { title: "Задержка СМС", publicMessage: "Сейчас СМС с кодами приходят с задержкой." };

  it("states the expected recovery in Moscow time, as the phone menu does, and says «сейчас» once", () => {
    const text = incidentNotice([{ ...sms, expectedRecoveryAt: new Date("2026-12-08T15:30:00+03:00") }], now);
    expect(text).toBe(
      "Известен сбой. Сейчас СМС с кодами приходят с задержкой. " +
        "Ожидаемое время восстановления: 8 декабря в 15:30 по московскому времени.",
    );
    expect(text!.match(/сейчас/gi)).toHaveLength(1);
  });

  it("says nothing of the recovery when it is not known; a message without its full stop gets one", () => {
    expect(incidentNotice([{ ...sms, expectedRecoveryAt: null }], now)).toBe(
      "Известен сбой. Сейчас СМС с кодами приходят с задержкой.",
    );
    expect(incidentNotice([{ title: "Не работает вход через Госключ", publicMessage: "  " }], now)).toBe(
      "Известен сбой. Не работает вход через Госключ.",
    );
    expect(incidentNotice([], now)).toBeNull();
  });

  it("lists two outages at most, each with its own recovery; the year when it is not this one", () => {
    const text = incidentNotice(
      [
        { ...sms, expectedRecoveryAt: "2026-12-08T12:30:00.000Z" },
        { title: "Оплата пошлин", publicMessage: "Оплата пошлин временно недоступна", expectedRecoveryAt: null },
        { title: "Третий", publicMessage: "Третий сбой.", expectedRecoveryAt: null },
      ],
      now,
    );
    expect(text).toBe(
      "Известны сбои:\n" +
        "— Сейчас СМС с кодами приходят с задержкой. Ожидаемое время восстановления: 8 декабря в 15:30 по московскому времени.\n" +
        "— Оплата пошлин временно недоступна.",
    );
    expect(incidentNotice([{ ...sms, expectedRecoveryAt: new Date("2027-01-02T09:00:00+03:00") }], now)).toContain(
      "Ожидаемое время восстановления: 2 января 2027 г. в 09:00 по московскому времени.",
    );
  });
});

describe("the phone lines after the offer to leave a request", () => {
  it("agree with their number", () => {
    expect(linesIntro(1)).toBe("Или позвоните на линию, которая работает сейчас:");
    for (const n of [2, 3, 21]) expect(linesIntro(n)).toBe("Или позвоните на одну из линий, которые работают сейчас:");
  });
});
