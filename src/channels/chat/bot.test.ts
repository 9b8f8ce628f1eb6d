import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSearchIndex, loadArticlesFromDir } from "../../knowledge/index.ts";
import { BOT_TEXT, botTurn } from "./bot.ts";

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
