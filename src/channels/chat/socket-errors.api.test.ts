// A client's broken frame is the client's doing: the socket closes with the matching code, and the log gets a debug
// line, not an error with a stack that anyone on the internet could write into it at will.
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ChatClient } from "../../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { buildApp } from "../../http/app.ts";
import { loggerOptions } from "../../http/logging.ts";

let s: TestServer;
let app: Awaited<ReturnType<typeof buildApp>>;
let base: string;
const logged: { level: number; msg?: string; code?: string; err?: unknown }[] = [];

beforeAll(async () => {
  s = await createTestServer({ publicRateLimit: 0 });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logged.push(JSON.parse(line));
      cb();
    },
  });
  app = await buildApp(s.ctx, { logger: { ...loggerOptions("debug"), stream: sink } as never });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app?.close();
  await s?.close();
});

it("closes a socket whose frame is too big with 1009 and logs it at debug, without an error line", async () => {
  const session = await app.inject({
    method: "POST",
    url: "/api/v1/chat/sessions",
    payload: { name: "Анна", email: "anna.frames@example.ru" },
  });
  expect(session.statusCode).toBe(201);
  const client = await ChatClient.open(`${base.replace("http", "ws")}/api/v1/chat/ws?token=${session.json().token}`);
  await client.waitFor((f) => f.t === "ready");
  const closed = new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code)));
  client.socket.send("x".repeat(64 * 1024 + 1));
  expect(await closed).toBe(1009);
  await expect.poll(() => logged.some((l) => l.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")).toBe(true);
  expect(logged.find((l) => l.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")!.level).toBe(20);
  expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  // The server goes on answering.
  expect((await app.inject({ method: "GET", url: "/api/v1/health" })).statusCode).toBe(200);
});
