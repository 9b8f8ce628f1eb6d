import { describe, expect, it } from "vitest";
import {
  analyze,
  editDistance,
  FuzzyVocabulary,
  fixLayout,
  normalize,
  stem,
  tokenize,
  toLatinLayout,
  transliterate,
} from "./index.ts";

describe("normalize and tokenize", () => {
  it("lower-cases, folds ё and splits on punctuation and hyphens", () => {
    expect(normalize("Ещё ЁЛКА")).toBe("еще елка");
    expect(tokenize("Онлайн-чат: не работает, 8-800!")).toEqual(["онлайн", "чат", "не", "работает", "8", "800"]);
  });
});

describe("stem", () => {
  it("gives one stem to the forms of a word", () => {
    expect(new Set(["пароль", "пароля", "паролем", "пароли"].map(stem)).size).toBe(1);
    expect(stem("заявления")).toBe(stem("заявление"));
    expect(stem("sms")).toBe("sms");
  });
});

describe("keyboard layout", () => {
  it("re-types Latin keystrokes as Cyrillic, punctuation keys included", () => {
    expect(fixLayout("gfhjkm")).toBe("пароль");
    expect(fixLayout("yt ghb[jlbn rjl")).toBe("не приходит код");
  });
  it("leaves Cyrillic and ordinary Latin words alone in a mixed text", () => {
    expect(fixLayout("не приходит sms")).toBe("не приходит sms");
    expect(fixLayout("забыл gfhjkm")).toBe("забыл пароль");
  });
  it("asks the vocabulary when one is given", () => {
    expect(fixLayout("rjl", (w) => w === "код")).toBe("код");
    expect(fixLayout("rjl", () => false)).toBe("rjl");
    expect(toLatinLayout("ыьы")).toBe("sms");
  });
});

describe("transliterate", () => {
  it("reads common Latin spellings of Russian", () => {
    expect(transliterate("ne prihodit kod")).toBe("не приходит код");
    expect(transliterate("zayavlenie")).toBe("заявление");
    expect(transliterate("ne mogu voyti")).toBe("не могу войти");
    expect(transliterate("podtverzhdenie")).toBe("подтверждение");
  });
});

describe("fuzzy", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("пароьл", "пароль")).toBe(1);
    expect(editDistance("пороль", "пароль")).toBe(1);
    expect(editDistance("кот", "пароль", 2)).toBe(3);
  });
  it("finds the nearest known word", () => {
    const v = new FuzzyVocabulary();
    for (const w of ["пароль", "пароля", "профиль", "телефон"]) v.add(w);
    expect(v.nearest("пороль")[0]?.word).toBe("пароль");
    expect(v.nearest("пароьл")[0]?.word).toBe("пароль");
    expect(v.nearest("телифоон").map((x) => x.word)).toContain("телефон");
    expect(v.nearest("код")).toEqual([]);
    // Two deletions of a very long word would be millions of keys: such words are not looked up.
    expect(v.nearest("п".repeat(5000), 2)).toEqual([]);
  });
});

describe("analyze", () => {
  it("drops stop words and stems the rest", () => {
    expect(analyze("Здравствуйте, у меня не приходит код").map((t) => t.stem)).toEqual([stem("приходит"), "код"]);
  });
  it("reads Latin chunks as layout or transliteration, whichever gives a known stem", () => {
    const known = new Set([stem("пароль"), stem("приходит"), "код"]);
    const isKnown = (s: string) => known.has(s);
    expect(analyze("gfhjkm", isKnown)[0]).toMatchObject({ stem: stem("пароль"), via: "layout" });
    expect(analyze("prihodit kod", isKnown).map((t) => t.via)).toEqual(["translit", "translit"]);
    expect(analyze("parol", isKnown)[0]?.stem).toBe(stem("пароль"));
  });
});
