// Input Fastify or Node refuse before a route sees it, and bodies whose bytes are not what JSON is: each is a
// problem+json answer with a Russian sentence and a stable code, never Fastify's English nor a stored U+FFFD.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "./harness.ts";
import { multipartBody } from "./multipart-body.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1" });
});
afterAll(() => s?.close());

type Answer = { statusCode: number; headers: Record<string, unknown>; json(): Record<string, unknown> };

function expectProblem(res: Answer, status: number, code: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
  expect(res.json().code).toBe(code);
  expect(res.json().detail).toMatch(/^[А-ЯЁ«][а-яё].*\.$/);
}

// «Привет» in KOI8-R.
const KOI8_TEXT = Buffer.concat([
  Buffer.from('{"text":"'),
  Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]),
  Buffer.from('"}'),
]);

describe("a JSON body is UTF-8", () => {
  it("another declared charset is a 415", async () => {
    for (const charset of ["koi8-r", "windows-1251", '"KOI8-R"']) {
      const res = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: KOI8_TEXT,
        headers: { "content-type": `application/json; charset=${charset}` },
      });
      expectProblem(res, 415, "unsupported_media_type");
      expect(res.json().detail).toContain("UTF-8");
    }
  });

  it("a compressed body is a 415 of its own, whatever it holds", async () => {
    const { gzipSync } = await import("node:zlib");
    for (const [payload, encoding] of [
      [gzipSync('{"text":"Не приходит код"}'), "gzip"],
      [Buffer.from('{"text":"Не приходит код"}'), "gzip"],
      [Buffer.from('{"text":"Не приходит код"}'), "br"],
    ] as const) {
      const res = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload,
        headers: { "content-type": "application/json", "content-encoding": encoding },
      });
      expectProblem(res, 415, "unsupported_content_encoding");
      expect(res.json().detail).toContain(encoding);
    }
    const plain = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: Buffer.from('{"text":"Не приходит код подтверждения"}'),
      headers: { "content-type": "application/json", "content-encoding": "identity" },
    });
    expect(plain.statusCode).toBe(201);
  });

  it("bytes that are not UTF-8 are a 400, under any spelling of the charset or none", async () => {
    const payload = Buffer.concat([
      Buffer.from('{"text":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' не приходит код"}'),
    ]);
    for (const type of ["application/json", "application/json; charset=utf-8"]) {
      const res = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload,
        headers: { "content-type": type },
      });
      expectProblem(res, 400, "invalid_encoding");
    }
    const koi8 = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: KOI8_TEXT,
      headers: { "content-type": "application/json" },
    });
    expectProblem(koi8, 400, "invalid_encoding");
  });

  it("UTF-8, declared as utf-8, UTF8 or not at all, is taken as it is", async () => {
    for (const type of ["application/json", "application/json; charset=UTF-8", "application/json;charset=utf8"]) {
      const res = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: Buffer.from(JSON.stringify({ text: "Не приходит код подтверждения" })),
        headers: { "content-type": type },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
});

describe("errors before routing", () => {
  it("a path parameter too long for its route is that route's refusal, not a long address", async () => {
    const slug = await s.app.inject({ method: "GET", url: `/api/v1/kb/articles/${"a".repeat(101)}` });
    expect([400, 404]).toContain(slug.statusCode);
    expect(slug.json().code).not.toBe("url_too_long");
    const long = await s.app.inject({ method: "GET", url: `/api/v1/kb/articles/${"a".repeat(600)}` });
    expectProblem(long, 414, "url_too_long");
  });

  it("a path that does not decode: problem+json in Russian, the URL not echoed", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/track/%ZZsecret-token" });
    expectProblem(res, 400, "bad_url");
    expect(res.body).not.toContain("secret-token");
    expect(res.body).not.toContain("FST_");
  });
});

/** Sends raw bytes to the listening server and reads what comes back until it closes the connection. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(bytes));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer")));
  });
}

function parseAnswer(text: string) {
  const [head = "", body = ""] = text.split("\r\n\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
  return { status, head, body, length };
}

describe("requests Node cannot parse", () => {
  const cases: [string, string, number, string][] = [
    [
      "a header of 20 KB",
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      431,
      "headers_too_large",
    ],
    [
      "a Content-Length that is not a number",
      "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      400,
      "bad_request",
    ],
    ["a malformed request line", "GARBAGE\r\n\r\n", 400, "bad_request"],
  ];
  it.each(cases)("%s", async (_what, bytes, status, code) => {
    const answer = parseAnswer(await raw(bytes));
    expect(answer.status, answer.head).toBe(status);
    expect(answer.head).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8/i);
    expect(answer.length).toBe(Buffer.byteLength(answer.body));
    const problem = JSON.parse(answer.body);
    expect(problem).toMatchObject({ status, code });
    expect(problem.detail).toMatch(/^[А-ЯЁ].*\.$/);
    // The server is still there.
    expect((await fetch(`${s.url}/api/v1/health`)).status).toBe(200);
  });
});

describe("a field is named as it was sent, whatever Object.prototype holds", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])("«%s» in a multipart data field", async (key) => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      ...multipartBody([{ name: "data", value: `{"text":"Не приходит код","${key}":{"a":1}}` }]),
    });
    expectProblem(res, 400, "validation_failed");
    expect(res.json().detail).toBe(`Неизвестное поле «${key}».`);
  });
});

describe("the messages of validation speak Russian", () => {
  it("a body that is not an object: none, null, a list, a string", async () => {
    const bodies: (string | undefined)[] = [undefined, "null", "[1]", '"str"'];
    for (const payload of bodies) {
      const res = await s.app.inject({
        method: "POST",
        url: "/api/v1/track/lookup",
        ...(payload === undefined ? {} : { payload, headers: { "content-type": "application/json" } }),
      });
      expectProblem(res, 400, "validation_failed");
      expect(res.json().detail).toBe("Тело запроса должно быть объектом JSON.");
    }
  });

  it("the fields of public and staff routes are named in Russian", async () => {
    const admin = await s.staff("administrator");
    for (const [url, english] of [
      ["/api/v1/track/short", "token"],
      ["/api/v1/admin/webhooks/0/pause", "id"],
      ["/api/v1/phone/checklist", "topic"],
    ] as const) {
      const res = await s.app.inject({ method: url.endsWith("pause") ? "POST" : "GET", url, headers: admin });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().detail, url).not.toContain(`«${english}»`);
      expect(res.json().detail, url).toMatch(/«[А-ЯЁ][^»]*»/);
    }
  });
});
