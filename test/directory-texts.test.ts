// The console shows the directory checker's findings in Russian: every code the checker can report has a title, and
// its clauses become sentences.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { placeOf, problemTitle, sentence } from "../web/src/admin-directory/problemText.ts";

const SOURCES = ["check.ts", "parse.ts", "phone.ts"].map((f) =>
  readFileSync(new URL(`../src/directory/${f}`, import.meta.url), "utf8"),
);
const CODES = [
  ...new Set(
    SOURCES.flatMap((s) => [
      ...[...s.matchAll(/report\(\s*(?:"error"|"warning"|[^,()]+),\s*"([a-z0-9_]+)"/g)].map((m) => m[1]!),
      ...[...s.matchAll(/\bcode: "([a-z0-9_]+)"/g)].map((m) => m[1]!),
    ]),
  ),
];

describe("the directory checker's findings in the console", () => {
  it("finds the checker's codes in its source", () => {
    expect(CODES).toContain("area_code_region_mismatch");
    expect(CODES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CODES)("%s has a Russian title", (code) => {
    const title = problemTitle({ code });
    expect(title).not.toBe(code);
    expect(title).toMatch(/^[А-ЯЁ][^_]*$/);
  });

  it("writes clauses as sentences and places in Russian", () => {
    expect(sentence("неизвестный регион «Марс»")).toBe("Неизвестный регион «Марс».");
    expect(sentence("Уже предложение.")).toBe("Уже предложение.");
    expect(placeOf({ line: 12, entry: "voronezh", field: "number" })).toBe("строка 12, voronezh, поле «номер»");
  });
});
