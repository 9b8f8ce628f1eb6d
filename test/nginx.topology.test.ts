// The production topology without containers: nginx (deploy/nginx.conf, as shipped) in front of two Otklik processes
// on one PostgreSQL server. Through nginx: a request with an attachment is filed, read back and downloaded from the
// other process; its tracking page's live stream and the applicant's chat socket pass through nginx and hear a
// reply made on either process; then one process is killed under load and no acknowledged request is lost, while
// nginx sends the next ones to the survivor.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import { ChatClient } from "./chat-test-client.ts";
import { type Child, exited, freePort, startChild } from "./process.ts";

const url = process.env.TEST_DATABASE_URL;
const NGINX = "/usr/sbin/nginx";
const schema = `otklik_nginx_${randomBytes(4).toString("hex")}`;
let a: Child;
let b: Child;
let nginx: ChildProcess | undefined;
let front = "";
let dir: string;
let staff: { authorization: string };

/** deploy/nginx.conf with the two local processes as its upstreams, listening on a local port, files kept in `dir`. */
function nginxConfig(port: number, upstreams: string[]) {
  const shipped = readFileSync(new URL("../deploy/nginx.conf", import.meta.url), "utf8");
  const servers = upstreams.map((u) => `    server ${new URL(u).host} max_fails=1 fail_timeout=5s;`).join("\n");
  const local = shipped
    .replace(/^ {4}server otklik-1:3000[^\n]*\n {4}server otklik-2:3000[^\n]*$/m, servers)
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`)
    .replace(/http \{/, `http {\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;`)
    .replace(/worker_processes auto;/, `worker_processes 1;\npid ${dir}/nginx.pid;`);
  // The test changes addresses and scratch paths only: the shipped file's rules are what is tested.
  expect(local).toContain(new URL(upstreams[1]!).host);
  expect(local).not.toContain("otklik-1:3000");
  return local;
}

describe.skipIf(!url || !existsSync(NGINX))("nginx in front of two processes on one PostgreSQL", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "otklik-nginx-"));
    for (const d of ["body", "proxy", "a", "b"]) mkdirSync(path.join(dir, d));
    // nginx's workers run as an unprivileged user when started by root.
    for (const d of [dir, path.join(dir, "body"), path.join(dir, "proxy")]) chmodSync(d, 0o777);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(url!);
    u.searchParams.set("options", `-c search_path=${schema}`);
    const env = (name: string) => ({
      DATABASE_URL: u.toString(),
      OTKLIK_DATA_DIR: path.join(dir, name),
      OTKLIK_TRUST_PROXY: "true",
    });
    a = await startChild(env("a"), 120_000);
    b = await startChild(env("b"), 120_000);

    const database = await openDatabase({ databaseUrl: url, schemaName: schema, poolSize: 1 });
    try {
      const email = `operator-${randomUUID()}@otklik.test`;
      await createUser(database.db, {
        email,
        name: "Ирина Смирнова",
        role: "operator",
        password: "operator-password-1",
      });
      staff = { authorization: `Bearer ${await createApiToken(database.db, email)}` };
    } finally {
      await database.close();
    }

    const port = await freePort();
    const conf = path.join(dir, "nginx.conf");
    writeFileSync(conf, nginxConfig(port, [a.url, b.url]));
    execFileSync(NGINX, ["-t", "-q", "-p", dir, "-e", path.join(dir, "error.log"), "-c", conf]);
    nginx = spawn(NGINX, ["-p", dir, "-e", path.join(dir, "error.log"), "-c", conf, "-g", "daemon off;"], {
      stdio: "ignore",
    });
    front = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${front}/api/v1/ready`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(async () => {
    nginx?.kill("SIGTERM");
    for (const c of [a, b]) {
      if (c && c.proc.exitCode === null) {
        c.proc.kill("SIGTERM");
        await exited(c.proc);
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it("files a request with an attachment through nginx and serves it from both processes", async () => {
    const png = Buffer.concat([
      Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"),
      Buffer.alloc(700_000, 3),
    ]);
    const form = new FormData();
    form.append(
      "data",
      JSON.stringify({ text: "Не загружается заявление, прикладываю снимок", contact: { email: "nginx@example.ru" } }),
    );
    form.append("files", new Blob([png], { type: "image/png" }), "снимок.png");
    const filed = await fetch(`${front}/api/v1/requests`, { method: "POST", body: form });
    expect(filed.status).toBe(201);
    const token = ((await filed.json()) as { trackingUrl: string }).trackingUrl.split("/").pop()!;
    for (const origin of [a.url, b.url, front]) {
      const view = (await (await fetch(`${origin}/api/v1/track/${token}`)).json()) as {
        messages: { attachments?: { id: string }[] }[];
      };
      const id = view.messages.flatMap((m) => m.attachments ?? [])[0]!.id;
      const file = await fetch(`${origin}/api/v1/track/${token}/attachments/${id}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    }
  });

  it("passes the tracking stream and the chat socket through, with replies made on either process", async () => {
    // The chat: the applicant's first message registers a request.
    const session = (await (
      await fetch(`${front}/api/v1/chat/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contact: { name: "Анна", email: "anna-nginx@example.ru" } }),
      })
    ).json()) as { token: string; conversationId: number };
    const chat = await ChatClient.open(`${front.replace("http", "ws")}/api/v1/chat/ws?token=${session.token}`);
    await chat.waitFor((f) => f.t === "ready");
    const mid = randomUUID();
    chat.send({ t: "msg", id: mid, text: "Не приходит код подтверждения на телефон" });
    await chat.waitFor((f) => f.t === "ack" && f.id === mid);
    const requestOf = async () => {
      for (let i = 0; i < 50; i++) {
        const list = (await (
          await fetch(`${a.url}/api/v1/requests?q=${encodeURIComponent("anna-nginx@example.ru")}`, { headers: staff })
        ).json()) as { items: { number: string }[] };
        if (list.items[0]) return list.items[0].number;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the chat's request was not found");
    };
    const number = await requestOf();

    // The same request's tracking stream, through nginx: the chat gave the applicant its link.
    const registered = await chat.waitFor((f) => f.t === "msg" && /\/track\/[\w-]+/.test(String(f.text)));
    const trackToken = /\/track\/([\w-]+)/.exec(String(registered.text))![1];
    const controller = new AbortController();
    let streamed = "";
    const stream = await fetch(`${front}/api/v1/track/${trackToken}/events`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    void (async () => {
      const reader = stream.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        streamed += new TextDecoder().decode(value);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));

    // One reply from each process: whichever process holds the socket, one of them crosses over.
    for (const [origin, text] of [
      [a.url, "Здравствуйте! Проверьте, пожалуйста, номер телефона в профиле."],
      [b.url, "Если номер верный, запросите код ещё раз через пять минут."],
    ] as const) {
      const res = await fetch(`${origin}/api/v1/requests/${number}/messages`, {
        method: "POST",
        headers: { ...staff, "content-type": "application/json" },
        body: JSON.stringify({ body: text, visibility: "public" }),
      });
      expect(res.status).toBe(200);
      await chat.waitFor((f) => f.t === "msg" && f.text === text, 20_000);
    }
    for (let i = 0; i < 100 && !streamed.includes("event: update"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(streamed).toContain("event: update");
    controller.abort();
    chat.socket.close();
  });

  it("loses no acknowledged request when one process is killed under load", async () => {
    const acknowledged: string[] = [];
    let failed = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const res = await fetch(`${front}/api/v1/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `Заявка под нагрузкой ${w}-${i}: не открывается личный кабинет` }),
        }).catch(() => null);
        if (res?.status === 201) acknowledged.push(((await res.json()) as { number: string }).number);
        else failed++;
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((r) => setTimeout(r, 1_500));
    const before = acknowledged.length;
    b.proc.kill("SIGKILL");
    await exited(b.proc);
    await new Promise((r) => setTimeout(r, 2_500));
    stop = true;
    await Promise.all(workers);

    expect(before).toBeGreaterThan(0);
    // The survivor took what came after.
    expect(acknowledged.length).toBeGreaterThan(before);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`select number from ${schema}.requests where number = any($1::text[])`, [
        acknowledged,
      ]);
      expect(rows.length).toBe(acknowledged.length);
    } finally {
      await client.end();
    }
    // Failures are allowed (a request in flight on the killed process); losses are not.
    expect(failed).toBeLessThan(acknowledged.length);
  }, 60_000);
});
