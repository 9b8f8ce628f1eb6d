import { describe, expect, it } from "vitest";
import { Pacer } from "./pacer.ts";
import { escapeMarkdownV2, splitText } from "./split.ts";

describe("a long text in a messenger", () => {
  it("is cut at a paragraph, then a line, a sentence, a word; nothing is lost and no part passes the limit", () => {
    const para = "Слово ".repeat(300).trim();
    const text = [para, para, para].join("\n\n");
    const parts = splitText(text, 4096);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts[0]!.endsWith("Слово")).toBe(true);
    expect(parts.join("\n\n")).toBe(text);
    const words = splitText("один два три четыре пять шесть", 10);
    expect(words.every((w) => w.length <= 10)).toBe(true);
    expect(words.join(" ")).toBe("один два три четыре пять шесть");
    expect(splitText("Первое предложение. Второе предложение.", 30)).toEqual([
      "Первое предложение.",
      "Второе предложение.",
    ]);
  });

  it("cuts a word longer than the limit inside it, never between the halves of a surrogate pair", () => {
    expect(splitText("а".repeat(25), 10)).toEqual(["а".repeat(10), "а".repeat(10), "а".repeat(5)]);
    const emoji = `${"x".repeat(9)}😀yyy`;
    const parts = splitText(emoji, 10);
    expect(parts[0]).toBe("x".repeat(9));
    expect(parts.join("")).toBe(emoji);
  });

  it("leaves a short text as one part and an empty one as none", () => {
    expect(splitText("  Привет  ", 4096)).toEqual(["Привет"]);
    expect(splitText("   ", 4096)).toEqual([]);
  });

  it("escapes every MarkdownV2 reserved character", () => {
    expect(escapeMarkdownV2("№ 1 030 026 (до 6.12) — см. _справку_ #1 + [ссылка]!")).toBe(
      "№ 1 030 026 \\(до 6\\.12\\) — см\\. \\_справку\\_ \\#1 \\+ \\[ссылка\\]\\!",
    );
  });
});

describe("the pacer", () => {
  it("lets one message a second into a chat and a limited number overall", async () => {
    let now = 0;
    const p = new Pacer(3, 1, () => now);
    const claim = (chat: string) => (p as unknown as { claim(c: string): number }).claim(chat);
    expect(claim("a")).toBe(0);
    expect(claim("a")).toBeGreaterThan(1000);
    expect(claim("b")).toBe(0);
    expect(claim("c")).toBe(0);
    expect(claim("d")).toBeGreaterThan(0);
    now = 1200;
    expect(claim("a")).toBe(0);
    p.pause(2);
    expect(claim("e")).toBe(2000);
  });
});
