// Two Otklik processes on one PostgreSQL behind a small round-robin proxy: intake through either, a session made
// on one is valid on the other, and a change made through one reaches a live stream held by the other.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, exited, startChild } from "./process.ts";

const url = process.env.TEST_DATABASE_URL;
const schema = `otklik_two_${randomBytes(4).toString("hex")}`;
let a: Child;
let b: Child;
let proxy: http.Server;
let proxyUrl = "";
const dirs: string[] = [];

function roundRobinProxy(targets: string[]) {
  let i = 0;
  return http.createServer((req, res) => {
    const target = new URL(targets[i++ % targets.length]!);
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
}

describe.skipIf(!url)("two processes on one PostgreSQL", () => {
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(url!);
    u.searchParams.set("options", `-c search_path=${schema}`);
    const env = (name: string) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `otklik-${name}-`));
      dirs.push(dir);
      return { DATABASE_URL: u.toString(), OTKLIK_DATA_DIR: dir };
    };
    // Started one after the other: the second waits on the migration lock anyway.
    a = await startChild(env("a"), 120_000);
    b = await startChild(env("b"), 120_000);
    proxy = roundRobinProxy([a.url, b.url]);
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  }, 300_000);

  afterAll(async () => {
    proxy?.close();
    for (const c of [a, b]) {
      if (c) {
        c.proc.kill("SIGTERM");
        await exited(c.proc);
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it("takes requests through both and numbers them without a clash", async () => {
    const numbers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await fetch(`${proxyUrl}/api/v1/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `Обращение через балансировщик ${i}` }),
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { number: string }).number;
      }),
    );
    expect(new Set(numbers).size).toBe(40);
  });

  it("keeps a session valid on both processes and pushes a change made on one to a stream on the other", async () => {
    const login = await fetch(`${a.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@otklik.local", password: "child-admin-password-1" }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const me = await fetch(`${b.url}/api/v1/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);

    const created = (await (
      await fetch(`${a.url}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "Проверка живого обновления между процессами" }),
      })
    ).json()) as { number: string; trackingUrl: string };
    const token = created.trackingUrl.split("/").pop();

    // The applicant's live stream is held by process A; the operator answers through process B.
    const controller = new AbortController();
    const stream = await fetch(`${a.url}/api/v1/track/${token}/events`, { signal: controller.signal });
    const reader = stream.body!.getReader();
    const received = (async () => {
      let text = "";
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (text.includes("event: update")) return text;
      }
      return text;
    })();
    await new Promise((r) => setTimeout(r, 300));
    const reply = await fetch(`${b.url}/api/v1/requests/${created.number}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      body: JSON.stringify({ body: "Ответ со второго процесса", visibility: "public" }),
    });
    expect(reply.status).toBe(200);
    const text = await received;
    controller.abort();
    expect(text).toContain("event: update");
    expect(text).toContain(created.number);
  });

  it("serves a file uploaded through one process from the other (attachments live in the database)", async () => {
    const form = new FormData();
    form.append(
      "data",
      JSON.stringify({ text: "Прикладываю снимок экрана с ошибкой", contact: { email: "files@example.ru" } }),
    );
    const png = Buffer.concat([
      Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"),
      Buffer.alloc(400_000, 7),
    ]);
    form.append("files", new Blob([png], { type: "image/png" }), "снимок.png");
    const filed = await fetch(`${a.url}/api/v1/requests`, { method: "POST", body: form });
    expect(filed.status).toBe(201);
    const token = ((await filed.json()) as { trackingUrl: string }).trackingUrl.split("/").pop();
    const view = (await (await fetch(`${b.url}/api/v1/track/${token}`)).json()) as {
      messages: { attachments?: { id: string }[] }[];
    };
    const id = view.messages.flatMap((m) => m.attachments ?? [])[0]?.id;
    expect(id).toBeDefined();
    const file = await fetch(`${b.url}/api/v1/track/${token}/attachments/${id}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
  });
});
