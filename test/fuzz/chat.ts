// Chat WebSocket frames: a public session and a staff socket receive random frames (the protocol's own with hostile
// values, wrong shapes, not JSON, null, deep nesting, binary, NUL, too big). After each batch the socket must still
// answer an application ping, or have closed with 1003/1009; a frame answered `internal` (which tells the client to
// send it again) is a server error.
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { TestServer } from "../harness.ts";
import { anyValue, NUMBERS, type Rng, text } from "./random.ts";
import { note, show, type Tally, thrown } from "./target.ts";

const BATCH = 12;
const ACCEPTED_CLOSE = new Set([1000, 1003, 1009]);

function frame(r: Rng, conversationId: number): string | Buffer {
  const id = r.pick([randomUUID(), "", "x", "a".repeat(65), "bad id!", text(r, 10)]);
  const files = r.pick([
    undefined,
    [],
    [randomUUID()],
    ["not-a-uuid"],
    [text(r, 20)],
    "x",
    [null],
    Array(50).fill(randomUUID()),
  ]);
  const cid = r.pick([conversationId, conversationId, 0, -1, 2 ** 31, "1", null, text(r, 5)]);
  const k = r.int(20);
  if (k < 6)
    return JSON.stringify({
      t: "msg",
      id,
      text: text(r, 200),
      files,
      action: r.pick([undefined, "helped", "operator", "leave", text(r, 10)]),
      conversationId: cid,
    });
  if (k < 8)
    return JSON.stringify({
      t: r.pick(["typing", "sync", "leave", "ping"]),
      conversationId: cid,
      since: r.pick([...NUMBERS, "x", null]),
    });
  if (k < 10) return JSON.stringify({ t: r.pick(["msg", "sync", text(r, 8)]), ...(anyValue(r) as object) });
  if (k < 12)
    return r.pick([
      "null",
      "1",
      '"msg"',
      "[]",
      "{}",
      "true",
      '{"t":null}',
      '{"t":"msg","id":null}',
      '{"t":"msg","text":null}',
    ]);
  if (k < 14) return text(r, 300);
  if (k === 14) return `${'{"t":'.repeat(r.pick([10, 1000, 20_000]))}1${"}".repeat(10)}`;
  if (k === 15) return JSON.stringify({ t: "msg", id: randomUUID(), text: `a\u0000b${text(r, 20)}` });
  if (k === 16) return Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)));
  if (k === 17)
    return JSON.stringify({ t: "msg", id: randomUUID(), text: "я".repeat(r.pick([10_000, 40_000, 2_000_000])) });
  return JSON.stringify(anyValue(r, 4));
}

type Socket = { ws: WebSocket; frames: Record<string, unknown>[]; closed?: number };

function open(url: string, headers: Record<string, string> = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const s: Socket = { ws, frames: [] };
    ws.on("message", (raw) => {
      try {
        s.frames.push(JSON.parse(raw.toString()));
      } catch {
        s.frames.push({ t: "unparsable" });
      }
    });
    ws.on("close", (code) => {
      s.closed = code;
    });
    ws.once("open", () => resolve(s));
    ws.once("error", reject);
  });
}

function waitFrame(s: Socket, test: (f: Record<string, unknown>) => boolean, ms: number) {
  return new Promise<boolean>((resolve) => {
    const start = s.frames.length;
    const until = Date.now() + ms;
    const tick = () => {
      if (s.frames.slice(start).some(test)) return resolve(true);
      if (s.closed !== undefined || Date.now() > until) return resolve(false);
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Sends a batch to one socket, then checks it is alive or closed properly, and counts `internal` answers. */
async function batch(r: Rng, s: Socket, conversationId: number, who: string, tally: Tally) {
  const sent: string[] = [];
  for (let i = 0; i < BATCH && s.closed === undefined; i++) {
    const f = frame(r, conversationId);
    sent.push(show(typeof f === "string" ? f : `<${f.length} bytes>`));
    tally.cases++;
    s.ws.send(f);
  }
  if (s.closed === undefined) {
    s.ws.send(JSON.stringify({ t: "ping" }));
    const alive = await waitFrame(s, (f) => f.t === "pong", 5000);
    if (!alive && s.closed === undefined) {
      tally.serverErrors++;
      note(tally, `${who} socket stopped answering after: ${sent.join(" ; ")}`);
    }
  }
  if (s.closed !== undefined && !ACCEPTED_CLOSE.has(s.closed)) {
    tally.serverErrors++;
    note(tally, `${who} socket closed with ${s.closed} after: ${sent.join(" ; ")}`);
  }
  const internal = s.frames.filter((f) => f.t === "error" && f.code === "internal");
  if (internal.length) {
    tally.serverErrors += internal.length;
    note(tally, `${who} got ${internal.length} «internal» error frame(s) after: ${sent.join(" ; ")}`);
  }
  s.ws.terminate();
}

export async function chatFuzz(s: TestServer, r: Rng, admin: string, until: number, tally: Tally) {
  const ws = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
  while (Date.now() < until) {
    try {
      const session = await s.app.inject({
        method: "POST",
        url: "/api/v1/chat/sessions",
        payload: { contact: { name: "Фаззер", email: "fuzz@example.ru" } },
      });
      if (session.statusCode !== 201) throw new Error(`session: ${session.statusCode} ${session.body.slice(0, 100)}`);
      const { token, conversationId } = session.json() as { token: string; conversationId: number };
      const applicant = await open(`${ws}?token=${token}&since=${r.pick([0, 0, 3])}`);
      await batch(r, applicant, conversationId, "applicant", tally);
      const staff = await open(ws, { authorization: admin });
      await batch(r, staff, conversationId, "staff", tally);
    } catch (e) {
      thrown(tally, "chat", e);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}
