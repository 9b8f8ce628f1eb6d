import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_KB_DIR } from "./cli.ts";
import { type Article, createSearchIndex, loadArticlesFromDir, type SearchIndex } from "./index.ts";

const article = (slug: string, title: string, body: string, extra: Partial<Article> = {}): Article => ({
  slug,
  title,
  summary: "",
  category: "information",
  audience: ["citizen"],
  tags: [],
  synonyms: [],
  status: "published",
  visibility: "public",
  body,
  ...extra,
});

const fixture = [
  article("password", "Восстановление пароля", "Нажмите «Забыли пароль?» и введите новый пароль дважды."),
  article("sms", "Не приходит СМС", "Проверьте память телефона и связь. Запросите код снова."),
  article("signature", "Электронная подпись", "Квалифицированную электронную подпись выдаёт удостоверяющий центр."),
  article("business", "Регистрация организации", "Руководитель добавляет организацию в профиле."),
  article("secret", "Проверка личности звонящего", "Чек-лист оператора: телефон, ФИО, цифры СНИЛС.", {
    visibility: "internal",
  }),
  article("draft", "Черновик о пароле", "Пароль пароль пароль.", { status: "draft" }),
];
const slugs = (index: SearchIndex, q: string, o = {}) => index.search(q, o).map((h) => h.slug);

describe("search on a small base", () => {
  const index = createSearchIndex(fixture);

  it("finds word forms through the stem", () => {
    for (const q of ["пароль", "пароля", "паролем", "паролями"]) expect(slugs(index, q)[0], q).toBe("password");
  });

  it("forgives typos, a swapped pair included", () => {
    expect(slugs(index, "пороль")[0]).toBe("password");
    expect(slugs(index, "пароьл")[0]).toBe("password");
    expect(slugs(index, "электроная подпсь")[0]).toBe("signature");
  });

  it("reads a wrong keyboard layout, alone or mixed with Russian", () => {
    expect(slugs(index, "gfhjkm")[0]).toBe("password");
    expect(slugs(index, "восстановление gfhjkm")[0]).toBe("password");
  });

  it("reads Latin transliteration", () => {
    expect(slugs(index, "parol")[0]).toBe("password");
    expect(slugs(index, "elektronnaya podpis")[0]).toBe("signature");
  });

  it("matches synonyms and abbreviations in both directions", () => {
    expect(slugs(index, "эцп")[0]).toBe("signature");
    expect(slugs(index, "укэп")[0]).toBe("signature");
    expect(slugs(index, "sms")[0]).toBe("sms");
    expect(slugs(index, "юрлицо")[0]).toBe("business");
    expect(slugs(index, "юр лицо")[0]).toBe("business");
  });

  it("ignores stop words and finds nothing in a query of only stop words", () => {
    expect(index.search("а и но если бы")).toEqual([]);
    expect(index.search("")).toEqual([]);
  });

  it("hides internal articles and drafts unless asked", () => {
    expect(slugs(index, "проверка личности")).not.toContain("secret");
    expect(slugs(index, "проверка личности", { includeInternal: true })[0]).toBe("secret");
    expect(slugs(index, "черновик пароль")).not.toContain("draft");
    expect(slugs(index, "черновик пароль", { includeDrafts: true })[0]).toBe("draft");
  });

  it("marks the matched words in the snippet and escapes the rest", () => {
    const [hit] = index.search("пароли");
    expect(hit?.snippet).toBe("Нажмите «Забыли <mark>пароль</mark>?» и введите новый <mark>пароль</mark> дважды.");
    // A synonym match marks the words that form the phrase, not every word of the group.
    expect(index.search("эцп")[0]?.snippet).toBe(
      "Квалифицированную <mark>электронную</mark> <mark>подпись</mark> выдаёт удостоверяющий центр.",
    );
    const html = createSearchIndex([article("x", "Код", "Введите <код> & нажмите.")]).search("код")[0];
    expect(html?.snippet).toBe("Введите &lt;<mark>код</mark>&gt; &amp; нажмите.");
  });

  it("ranks a title match above a body match", () => {
    const index2 = createSearchIndex([
      article("body", "Прочее", "Здесь мимоходом упомянута блокировка."),
      article("title", "Блокировка входа", "Что делать."),
    ]);
    expect(slugs(index2, "блокировка")).toEqual(["title", "body"]);
  });

  it("shrugs off pasted junk: one huge word, links, markup", () => {
    const t = performance.now();
    expect(index.search("а".repeat(5000))).toEqual([]);
    expect(index.search(`https://example.org/${"x".repeat(300)}`)).toEqual([]);
    expect(slugs(index, "<script>alert(1)</script> пароль")[0]).toBe("password");
    expect(performance.now() - t).toBeLessThan(500);
  });

  it("prefers a title that says the query's words side by side", () => {
    const index2 = createSearchIndex([
      article("a-apart", "Заявления: где черновик", "Текст."),
      article("b-together", "Где черновик заявления", "Текст."),
    ]);
    expect(slugs(index2, "черновик заявления")).toEqual(["b-together", "a-apart"]);
  });

  it("respects the limit", () => {
    expect(index.search("пароль телефон подпись организация", { limit: 2 })).toHaveLength(2);
  });
});

describe("search on the shipped base", () => {
  let index: SearchIndex;
  beforeAll(async () => {
    index = createSearchIndex(await loadArticlesFromDir(DEFAULT_KB_DIR));
  });

  it.each([
    ["ne prihodit kod", "sms-code-not-received"],
    ["gfhjkm", "password-recovery"],
    ["pfzdktybt jnrkjytyj", "application-rejected"],
    ["ЭЦП", "electronic-signature"],
    ["зарегистрировать юр лицо", "organization-registration"],
    ["не могу войти в ЛК", "login-errors"],
  ])("«%s» → %s in the top three", (q, slug) => {
    expect(slugs(index, q).slice(0, 3)).toContain(slug);
  });

  it("finds the topic of a long multi-sentence message", () => {
    const story =
      "Здравствуйте! Меня зовут Анна, я живу в Казани. Вчера вечером хотела записать ребёнка к врачу, " +
      "зашла на портал, ввела пароль, но, видимо, ошиблась раскладкой несколько раз подряд. Теперь при входе " +
      "пишет, что учетная запись заблокирована. Телефон у меня тот же, паспорт не менялся. Подскажите, что делать " +
      "и сколько ждать? Заранее спасибо.";
    expect(slugs(index, story)[0]).toBe("account-locked");
  });

  it("answers fast enough for a search box", () => {
    const t = performance.now();
    for (let i = 0; i < 50; i++) index.search("не приходит смс с кодом на телефон");
    expect((performance.now() - t) / 50).toBeLessThan(50);
  });
});
