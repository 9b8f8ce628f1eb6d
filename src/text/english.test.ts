import { describe, expect, it } from "vitest";
import { readEnglish } from "./english.ts";

describe("English in a query", () => {
  it("reads English words and phrases as Russian, dropping English filler", () => {
    expect(readEnglish("forgot password")).toBe("забыл пароль");
    expect(readEnglish("SMS code not received")).toBe("смс код не приходит");
    expect(readEnglish("I can't log in")).toBe("не могу войти");
    expect(readEnglish("I can’t log in to my account")).toBe("не могу войти учетная запись");
    expect(readEnglish("how to call from abroad")).toBe("позвонить из-за рубежа");
  });

  it("keeps the Russian of a mixed query as typed", () => {
    expect(readEnglish("не приходит sms code")).toBe("не приходит смс код");
    expect(readEnglish("не могу login в account")).toBe("не могу войти в учетная запись");
  });

  it("leaves a query without a known English word exactly as it is", () => {
    for (const q of ["gfhjkm", "ghbdtn, vyt ye;ty jgthfnjh", "Не приходит код", "ИНН 7707083893", "a b c"]) {
      expect(readEnglish(q)).toBe(q);
    }
  });

  it("does not take part of a word for an English one", () => {
    expect(readEnglish("codex passwords")).toBe("codex passwords");
    expect(readEnglish("e-mail")).toBe("почта");
  });
});
