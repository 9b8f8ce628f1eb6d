// The sentence of a schema violation: the field by its Russian name, or as it was sent, never by what
// Object.prototype holds under that name; a body that is not an object is said to be so.
import { describe, expect, it } from "vitest";
import { describeSchemaError } from "./problem.ts";

const extra = (name: string) => ({
  instancePath: "",
  keyword: "additionalProperties",
  params: { additionalProperty: name },
});

describe("describeSchemaError", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "an unknown field «%s» is named as sent",
    (name) => {
      expect(describeSchemaError(extra(name), "body")).toEqual({ field: name, message: `Неизвестное поле «${name}».` });
    },
  );

  it("a body of the wrong type is not called a field", () => {
    const e = { instancePath: "", keyword: "type", params: { type: "object" } };
    expect(describeSchemaError(e, "body").message).toBe("Тело запроса должно быть объектом JSON.");
  });

  it.each([
    ["token", "minLength", { limit: 22 }, "Поле «Код доступа из ссылки» короче 22 символов."],
    ["id", "minimum", { limit: 1 }, "Значение поля «Номер» вне допустимых пределов."],
    ["topic", "maxLength", { limit: 40 }, "Поле «Тема» длиннее 40 символов."],
  ])("the field «%s» is named in Russian", (field, keyword, params, message) => {
    expect(describeSchemaError({ instancePath: `/${field}`, keyword, params }, "params").message).toBe(message);
  });

  it("a body that must be a list is said to be one, not called a field «body»", () => {
    const e = { instancePath: "", keyword: "type", params: { type: "array" } };
    expect(describeSchemaError(e, "body").message).toBe("Тело запроса имеет неверный тип: ожидается список.");
  });

  it("an item of a list is named as its list, by its Russian name or as the list was sent", () => {
    const item = (path: string) => ({ instancePath: path, keyword: "enum", params: { allowedValues: ["a", "b"] } });
    expect(describeSchemaError(item("/status/0"), "querystring").message).toBe(
      "Недопустимое значение поля «Статус». Возможные: a, b.",
    );
    expect(describeSchemaError(item("/keywords/3"), "body").message).toContain("«Ключевые слова»");
    expect(describeSchemaError(item("/gadgets/12"), "body").message).toContain("«gadgets»");
  });

  it.each([
    ["contact", "«Контактные данные»"],
    ["idempotency-key", "«Ключ повторной отправки»"],
    ["helpful", "«Помогла ли статья»"],
    ["table", "«Таблица»"],
  ])("the field «%s» of a public or staff route is named in Russian", (field, name) => {
    const e = { instancePath: `/${field}`, keyword: "type", params: { type: "string" } };
    expect(describeSchemaError(e, "body").message).toContain(name);
  });

  it("names «from» a period's start only in a query; in a body it is the sender's, named as sent", () => {
    const missing = { instancePath: "", keyword: "required", params: { missingProperty: "from" } };
    const bad = { instancePath: "/from", keyword: "pattern", params: { pattern: "x" } };
    expect(describeSchemaError(bad, "querystring").message).toContain("«Начало периода»");
    expect(describeSchemaError(missing, "body").message).toContain("«from»");
    expect(describeSchemaError(missing, "body").message).not.toContain("периода");
  });
});
