// No input ends the process: hostile chat frames against a real `otklik serve`, whose PID must outlive them.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type Frame } from "./chat-test-client.ts";
import { type Child, startChild } from "./process.ts";

let child: Child;
let dir: string;
let pid: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "otklik-no-crash-"));
  child = await startChild({ OTKLIK_DATA_DIR: dir }, 120_000);
  pid = child.proc.pid!;
});
afterAll(async () => {
  child?.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function applicant(): Promise<ChatClient> {
  const res = await fetch(`${child.url}/api/v1/chat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ contact: { email: `frames-${randomUUID()}@example.ru` } }),
  });
  const { token } = (await res.json()) as { token: string };
  const c = await ChatClient.open(`${child.url.replace("http", "ws")}/api/v1/chat/ws?token=${token}`);
  await c.waitFor((f) => f.t === "ready");
  return c;
}

const closed = (c: ChatClient) =>
  new Promise<number>((resolve) => c.socket.once("close", (code: number) => resolve(code)));

async function alive() {
  expect(child.proc.exitCode, child.output().slice(-2000)).toBeNull();
  expect(child.proc.pid).toBe(pid);
  expect((await fetch(`${child.url}/api/v1/health`)).status).toBe(200);
}

// Every one of these once went unanswered, answered `internal` («retry»), or — `null` — ended the process.
const BAD_FRAMES: [string, string][] = [
  ["null", "null"],
  ["a number", "5"],
  ["an array", "[]"],
  ["a string", '"msg"'],
  ["not JSON", "{t: msg"],
  ["an empty object", "{}"],
  ["an unknown type", '{"t":"delete"}'],
  ["a numeric id", '{"t":"msg","id":5,"text":"Здравствуйте"}'],
  ["a numeric text", '{"t":"msg","id":"bad-text-1","text":7}'],
  ["files not a list", '{"t":"msg","id":"bad-files-1","text":"Файл","files":"x"}'],
  ["a non-UUID file id", '{"t":"msg","id":"bad-files-2","text":"Файл","files":["../../etc/passwd"]}'],
  ["NUL in the text", '{"t":"msg","id":"bad-nul-01","text":"a\\u0000b"}'],
  ["an unknown button", '{"t":"msg","id":"bad-action","text":"","action":"drop_table"}'],
  ["since not a number", '{"t":"sync","since":"yesterday"}'],
  ["an unknown field", '{"t":"typing","deep":[[[[1]]]]}'],
];

describe("hostile chat frames from a public session", () => {
  it("each gets a bad_frame error, the socket stays usable and the process lives", async () => {
    const c = await applicant();
    for (const [what, frame] of BAD_FRAMES) {
      const before = c.frames.length;
      c.socket.send(frame);
      // A ping behind each frame: its pong proves the frame was answered (or not) before it.
      c.send({ t: "ping" });
      await c.waitFor((f) => f.t === "pong" && c.frames.indexOf(f) >= before);
      const answers = c.frames.slice(before).filter((f) => f.t === "error");
      expect(
        answers.map((f) => f.code),
        what,
      ).toEqual(["bad_frame"]);
      expect(answers[0]!.retry, what).toBe(false);
      expect(String(answers[0]!.message), what).toMatch(/[А-Яа-я]/);
    }
    // The id of a refused message comes back with the refusal, so the client does not resend it forever.
    expect(c.frames.find((f: Frame) => f.t === "error" && f.id === "bad-files-2")).toBeDefined();
    const mid = randomUUID();
    c.send({ t: "msg", id: mid, text: "Не приходит код подтверждения" });
    expect((await c.waitFor((f) => f.t === "ack" && f.id === mid)).seq).toBeGreaterThan(0);
    c.close();
    await alive();
  });

  // Retried: a client still writing its 2 MB when the server closes may see the connection reset (1006) before it reads
  // the close frame; a server that never answered 1009 fails every try.
  it("a binary frame closes the socket with 1003, a 2 MB one with 1009; others are served", { retry: 2 }, async () => {
    const bin = await applicant();
    const binClosed = closed(bin);
    bin.socket.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    expect(await binClosed).toBe(1003);

    const big = await applicant();
    const bigClosed = closed(big);
    big.socket.send(JSON.stringify({ t: "msg", id: "big-frame-1", text: "я".repeat(1024 * 1024) }));
    expect(await bigClosed).toBe(1009);

    const other = await applicant();
    const mid = randomUUID();
    other.send({ t: "msg", id: mid, text: "А у меня всё работает?" });
    await other.waitFor((f) => f.t === "ack" && f.id === mid);
    other.close();
    await alive();
  });
});
