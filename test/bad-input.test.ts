// Bad input is refused with a clear 4xx, never a 500: out-of-range ids and integers, bodies nested too deep,
// content types a route does not take, form bodies with a repeated field, broken multipart and NUL characters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "./harness.ts";
import { multipartBody } from "./multipart-body.ts";

let s: TestServer;
let admin: { authorization: string };
let number: string;
let token: string;

beforeAll(async () => {
  s = await createTestServer();
  admin = await s.staff("administrator");
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: "Не приходит код подтверждения" },
  });
  number = res.json().number;
  token = res.json().trackingUrl.split("/").pop();
});
afterAll(() => s?.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_TYPE = { "content-type": "application/json" };
const deepArray = (n: number) => "[".repeat(n) + "]".repeat(n);
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

async function expectProblem(
  res: { statusCode: number; json(): { code: string; detail: string } },
  status: number,
  code: string,
) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json().code).toBe(code);
  expect(res.json().detail).toMatch(/[А-Яа-яЁё]/);
}

describe("ids and integers are range-checked by the schema", () => {
  it("an assignee filter past the 32-bit range", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/requests?assignee=2147483648", headers: admin });
    await expectProblem(res, 400, "validation_failed");
    const ok = await s.app.inject({ method: "GET", url: "/api/v1/requests?assignee=2147483647", headers: admin });
    expect(ok.statusCode).toBe(200);
    const me = await s.app.inject({ method: "GET", url: "/api/v1/requests?assignee=me", headers: admin });
    expect(me.statusCode).toBe(200);
  });

  it("a number that the coercion of a path or query string makes infinite", async () => {
    for (const url of [
      "/api/v1/incidents/1e309",
      "/api/v1/requests?assignee=1e309",
      "/api/v1/requests?limit=Infinity",
      "/api/v1/admin/directory/versions/-1e400",
    ]) {
      const res = await s.app.inject({ method: "GET", url, headers: admin });
      await expectProblem(res, 400, "validation_failed");
    }
  });

  it("an assigneeId of 2^40", async () => {
    const res = await s.app.inject({
      method: "PATCH",
      url: `/api/v1/requests/${number}`,
      headers: admin,
      payload: { assigneeId: 2 ** 40 },
    });
    await expectProblem(res, 400, "validation_failed");
  });

  it("an incident id of 99999999999", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/incidents/99999999999", headers: admin });
    await expectProblem(res, 400, "validation_failed");
  });

  it("an article version of 99999999999", async () => {
    for (const url of ["/api/v1/kb/articles/x/versions/99999999999", "/api/v1/kb/articles/x/versions/-1"]) {
      const res = await s.app.inject({ method: "GET", url, headers: admin });
      await expectProblem(res, 400, "validation_failed");
    }
  });

  it("a phone line's maxWaiting of 2^40", async () => {
    const res = await s.app.inject({
      method: "PUT",
      url: "/api/v1/admin/phone/lines/federal-main",
      headers: admin,
      payload: { maxWaiting: 2 ** 40 },
    });
    await expectProblem(res, 400, "validation_failed");
  });
});

describe("depth and size are bounded before parsing", () => {
  it("JSON nested 100,000 deep is refused on any route, sign-in included", async () => {
    for (const [url, payload] of [
      ["/api/v1/auth/login", deepArray(100_000)],
      ["/api/v1/requests", deepObject(100_000)],
      [`/api/v1/track/${token}/messages`, deepObject(100_000)],
      ["/api/v1/no-such-route", deepArray(100_000)],
    ] as const) {
      const res = await s.app.inject({ method: "POST", url, payload, headers: JSON_TYPE });
      if (url.endsWith("no-such-route")) expect(res.statusCode).toBeLessThan(500);
      else await expectProblem(res, 400, "json_too_deep");
    }
  });

  it("nesting within the bound still parses", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/classify",
      payload: JSON.stringify({ text: "Не приходит СМС с кодом", extra: JSON.parse(deepArray(40)) }),
      headers: JSON_TYPE,
    });
    // Refused by the schema (an unknown field), not by the depth bound.
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });

  it("the JSON field of a multipart body has the same bound", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      ...multipartBody([{ name: "data", value: deepObject(10_000) }]),
    });
    await expectProblem(res, 400, "json_too_deep");
  });
});

describe("every body is validated by the route's schema, whatever its content type", () => {
  it("a text/plain body is refused where the route does not take it", async () => {
    for (const url of ["/api/v1/requests", `/api/v1/track/${token}/messages`, "/api/v1/auth/login"]) {
      const res = await s.app.inject({
        method: "POST",
        url,
        payload: "hello",
        headers: { "content-type": "text/plain" },
      });
      await expectProblem(res, 415, "unsupported_media_type");
    }
  });

  it("a form body is refused where the route does not take it, so a 300,000-character region is not stored", async () => {
    const before = (await s.app.inject({ method: "GET", url: "/api/v1/requests?limit=1", headers: admin })).json()
      .total;
    for (const payload of ["text=a&text=b", `text=hello&region=${"x".repeat(300_000)}`]) {
      const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload, headers: FORM });
      await expectProblem(res, 415, "unsupported_media_type");
    }
    const repeated = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/messages`,
      payload: "text=a&text=b",
      headers: FORM,
    });
    await expectProblem(repeated, 415, "unsupported_media_type");
    const after = (await s.app.inject({ method: "GET", url: "/api/v1/requests?limit=1", headers: admin })).json().total;
    expect(after).toBe(before);
  });

  it("a form body is validated by the same schema as JSON where the route takes forms", async () => {
    const repeated = await s.app.inject({
      method: "POST",
      url: "/api/v1/chat/sessions",
      payload: "email=a@example.ru&email=b@example.ru",
      headers: FORM,
    });
    await expectProblem(repeated, 400, "validation_failed");
    const long = await s.app.inject({
      method: "POST",
      url: "/api/v1/chat/sessions",
      payload: `email=a@example.ru&name=${"x".repeat(300_000)}`,
      headers: FORM,
    });
    await expectProblem(long, 400, "validation_failed");
  });

  it("multipart is refused by routes that take only JSON", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      ...multipartBody([{ name: "email", value: "a@example.ru" }]),
    });
    await expectProblem(res, 415, "unsupported_media_type");
  });

  it("the fields of a multipart body are validated by the same schema as JSON", async () => {
    const extra = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/messages`,
      ...multipartBody([
        { name: "text", value: "Дополнение" },
        { name: "region", value: "x".repeat(1000) },
      ]),
    });
    await expectProblem(extra, 400, "validation_failed");
    const form = multipartBody([
      { name: "body", value: "Ответ" },
      { name: "visibility", value: "public" },
      { name: "visibility", value: "note" },
    ]);
    const repeated = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${number}/messages`,
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    });
    await expectProblem(repeated, 400, "validation_failed");
    const ok = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/messages`,
      ...multipartBody([{ name: "text", value: "Дополнение без файла" }]),
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe("broken multipart is a 400", () => {
  const broken: [string, { payload: string; headers: Record<string, string> }][] = [
    ["no boundary", { payload: "garbage", headers: { "content-type": "multipart/form-data" } }],
    [
      "a boundary of 300 characters",
      { payload: "x", headers: { "content-type": `multipart/form-data; boundary=${"b".repeat(300)}` } },
    ],
    ["garbage", { payload: "garbage garbage", headers: { "content-type": "multipart/form-data; boundary=XyZ" } }],
    [
      "truncated",
      {
        payload: '--XyZ\r\nContent-Disposition: form-data; name="data"\r\n\r\n{"text":"a',
        headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      },
    ],
  ];
  for (const [what, body] of broken) {
    it(what, async () => {
      for (const url of ["/api/v1/requests", `/api/v1/track/${token}/messages`, "/api/v1/chat/files"]) {
        const res = await s.app.inject({ method: "POST", url, ...body });
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, url).toBeLessThan(500);
        if (!url.endsWith("chat/files")) await expectProblem(res, 400, "invalid_multipart");
      }
    });
  }
});

describe("NUL never reaches the database", () => {
  it("in a multipart field, a JSON field or a file name", async () => {
    const cases = [
      {
        url: "/api/v1/requests",
        parts: [{ name: "data", value: '{"text":"a\\u0000b","contact":{"phone":"+79161234567"}}' }],
      },
      { url: `/api/v1/track/${token}/messages`, parts: [{ name: "text", value: "a\u0000b" }] },
      {
        url: "/api/v1/requests",
        parts: [
          { name: "data", value: '{"text":"Файл во вложении"}' },
          { name: "files", value: "hello", filename: "a\u0000b.txt", type: "text/plain" },
        ],
      },
    ];
    for (const c of cases) {
      const res = await s.app.inject({ method: "POST", url: c.url, ...multipartBody(c.parts) });
      await expectProblem(res, 400, "invalid_characters");
    }
  });

  it("in a JSON body's value or key, or a query", async () => {
    const cases = [
      { url: "/api/v1/requests", headers: JSON_TYPE, payload: '{"text":"Не приходит код\\u0000 подтверждения"}' },
      { url: "/api/v1/requests", headers: JSON_TYPE, payload: '{"text":"Не приходит код","subj\\u0000ect":"a"}' },
    ];
    for (const c of cases) {
      const res = await s.app.inject({ method: "POST", ...c });
      await expectProblem(res, 400, "invalid_characters");
    }
    const res = await s.app.inject({ method: "GET", url: "/api/v1/kb/search?q=%D0%BA%00", headers: admin });
    expect(res.statusCode).toBe(400);
  });
});
