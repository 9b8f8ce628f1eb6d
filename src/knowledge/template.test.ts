import { describe, expect, it } from "vitest";
import { answerText, articleSteps } from "./answer.ts";
import { formatDue, renderTemplate } from "./template.ts";

const due = new Date("2026-11-28T15:00:00Z");

describe("renderTemplate", () => {
  it("fills name, number and due time in Moscow time", () => {
    const r = renderTemplate("Здравствуйте, {{имя}}! Обращение № {{ номер }} — ответ до {{срок}}.", {
      name: "Анна",
      number: "1000013",
      dueAt: due,
    });
    expect(r).toEqual({
      text: "Здравствуйте, Анна! Обращение № 1000013 — ответ до 28 ноября 2026 г. в 18:00 (по московскому времени).",
      unknown: [],
    });
  });

  it("drops the name with its comma when there is none, and says «soon» without a due time", () => {
    expect(
      renderTemplate("Здравствуйте, {{имя}}! Ответим {{срок}}.", { name: null, number: "1", dueAt: null }).text,
    ).toBe("Здравствуйте! Ответим в ближайшее время.");
    expect(renderTemplate("{{Имя}}, добрый день", { name: "  ", number: "1", dueAt: null }).text).toBe(", добрый день");
  });

  it("leaves unknown placeholders as written and lists each once", () => {
    const r = renderTemplate("{{подпись}} {{подпись}} {{оператор}}", {
      name: null,
      number: "1",
      dueAt: null,
      operator: "Инна",
    });
    expect(r).toEqual({ text: "{{подпись}} {{подпись}} Инна", unknown: ["подпись"] });
  });

  it("formats a due time with the Moscow offset whatever the server's zone", () => {
    expect(formatDue(new Date("2026-12-31T21:30:00Z"))).toBe("1 января 2027 г. в 00:30 (по московскому времени)");
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
