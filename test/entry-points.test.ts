// Every entry point runs under the guard: a chat frame whose handler throws and a live stream whose feed throws are
// contained — logged without their message, the connection and every other client served on.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hubOf } from "../src/channels/chat/state.ts";
import { EVENTS_CHANNEL_SQL } from "../src/db/outbox.ts";
import { type Fault, onFault } from "../src/guard.ts";
import { openEventStream } from "../src/http/sse.ts";
import { ChatClient } from "./chat-test-client.ts";
import { createTestServer, type TestServer } from "./harness.ts";

const SECRET = "Иван Петров ivan.petrov@example.ru";
let s: TestServer;
const faults: Fault[] = [];
const stopWatching = onFault((f) => faults.push(f));

beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  stopWatching();
  await s?.close();
});

async function applicant() {
  const r = await s.app.inject({
    method: "POST",
    url: "/api/v1/chat/sessions",
    payload: { contact: { email: `guard-${randomUUID()}@example.ru` } },
  });
  const c = await ChatClient.open(`${s.url.replace("http", "ws")}/api/v1/chat/ws?token=${r.json().token}`);
  await c.waitFor((f) => f.t === "ready");
  return c;
}

describe("a chat frame whose handler throws", () => {
  it("is answered `internal` (retry), logged without its text, and the socket and other clients go on", async () => {
    const hub = hubOf(s.ctx);
    const spy = vi.spyOn(hub, "typing").mockImplementation(() => {
      throw new TypeError(SECRET);
    });
    try {
      const c = await applicant();
      c.send({ t: "typing" });
      const error = await c.waitFor((f) => f.t === "error");
      expect(error).toMatchObject({ code: "internal", retry: true });
      expect(faults.find((f) => f.where === "chat.frame" && f.type === "TypeError")).toBeDefined();
      expect(JSON.stringify(faults)).not.toMatch(/Иван|ivan/);

      c.send({ t: "ping" });
      await c.waitFor((f) => f.t === "pong");
      const other = await applicant();
      const mid = randomUUID();
      other.send({ t: "msg", id: mid, text: "Не приходит код" });
      await other.waitFor((f) => f.t === "ack" && f.id === mid);
      c.close();
      other.close();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("a live stream whose feed throws", () => {
  it("skips the event, logged without its message; that stream and the others go on", async () => {
    const side = Fastify();
    side.get("/broken", (req, reply) =>
      openEventStream(s.ctx, req, reply, (e) => {
        // Only this test's events: the server's own (a previous test's chat, its jobs) may pass by meanwhile.
        if (e.topic.startsWith("test.")) throw new RangeError(SECRET);
      }),
    );
    side.get("/fine", (req, reply) =>
      openEventStream(s.ctx, req, reply, (e, stream) => stream.send("update", { topic: e.topic })),
    );
    const url = await side.listen({ port: 0, host: "127.0.0.1" });
    const broken = new AbortController();
    const fine = new AbortController();
    try {
      const brokenRes = await fetch(`${url}/broken`, { signal: broken.signal });
      const fineRes = await fetch(`${url}/fine`, { signal: fine.signal });
      const brokenReader = brokenRes.body!.getReader();
      const fineReader = fineRes.body!.getReader();
      const read = async (reader: ReadableStreamDefaultReader<Uint8Array>, want: RegExp) => {
        let text = "";
        while (!want.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended: ${text}`);
          text += Buffer.from(value).toString();
        }
        return text;
      };
      await read(brokenReader, /event: ready/);
      await read(fineReader, /event: ready/);
      const notify = (topic: string) =>
        s.ctx.db.execute(
          sql`select pg_notify(${sql.raw(EVENTS_CHANNEL_SQL)}, ${JSON.stringify({ id: 0, topic, data: { number: "x" } })})`,
        );
      await notify("test.first");
      expect(await read(fineReader, /test\.first/)).toMatch(/event: update/);
      await notify("test.second");
      expect(await read(fineReader, /test\.second/)).toMatch(/event: update/);
      await vi.waitFor(() => expect(faults.filter((f) => f.where === "sse.event")).toHaveLength(2));
      expect(faults.find((f) => f.where === "sse.event")?.type).toBe("RangeError");
      expect(JSON.stringify(faults)).not.toMatch(/Иван|ivan/);
    } finally {
      broken.abort();
      fine.abort();
      await side.close();
    }
  });
});
