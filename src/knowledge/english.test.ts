// The shipped articles found by queries in English, mixed with Russian, or told at length as an operator transcribes
// a call: the first article is the one a person would pick.
import { describe, expect, it } from "vitest";
import { DEFAULT_KB_DIR } from "./cli.ts";
import { createSearchIndex, loadArticlesFromDir } from "./index.ts";

const index = createSearchIndex(await loadArticlesFromDir(DEFAULT_KB_DIR));
const first = (q: string) => index.search(q, { limit: 3 })[0]?.slug;

describe("search in the words people really type", () => {
  it.each([
    ["forgot password", "password-recovery"],
    ["sms code not received", "sms-code-not-received"],
    ["account blocked", "account-locked"],
    ["change phone number", "change-phone-number"],
    ["change email", "change-email"],
    ["electronic signature", "electronic-signature"],
    ["upload documents", "upload-documents"],
    ["how to call from abroad", "call-from-abroad"],
    ["registration of company", "organization-registration"],
  ])("English: «%s» → %s", (q, slug) => {
    expect(first(q)).toBe(slug);
  });

  it.each([
    ["не приходит sms code", "sms-code-not-received"],
    ["хочу change phone number в профиле", "change-phone-number"],
    ["как upload документы к заявлению", "upload-documents"],
  ])("mixed: «%s» → %s", (q, slug) => {
    expect(first(q)).toBe(slug);
  });

  it.each([
    [
      "ну короче я это самое пытаюсь зайти на госуслуги а мне пишет что пароль неверный и я не знаю что делать помогите пожалуйста",
      ["login-errors", "password-recovery"],
    ],
    [
      "добрый день я звоню потому что у меня заявление висит уже третью неделю и никто ничего не отвечает что мне делать",
      ["application-stuck"],
    ],
  ])("spoken at length: «%s»", (q, slugs) => {
    expect(slugs).toContain(first(q));
  });
});
