// A lost database is an outage, not a crash. The server talks to PostgreSQL through a proxy this test can cut (every
// connection reset, new ones refused) and restore — a server restart in miniature, without touching the real server,
// which other test files share. Runs on PostgreSQL only (TEST_DATABASE_URL).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { smtpIntakePort } from "../src/channels/email/room.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { isDatabaseUnavailable } from "../src/db/outage.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { configureGuard } from "../src/guard.ts";
import { type Running, startServer } from "../src/server.ts";
import { ChatClient } from "./chat-test-client.ts";
import { freePort, letter, SUPPORT, sendRaw } from "./test-smtp.ts";

const url = process.env.TEST_DATABASE_URL;

/** A TCP proxy to the PostgreSQL server that can be cut and restored. */
class CuttableProxy {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open() {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Every open connection reset, new ones refused: the database is gone. */
  async cut() {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe.skipIf(!url)("a lost database", () => {
  const schemaName = `otklik_outage_${randomBytes(4).toString("hex")}`;
  const appName = schemaName;
  let proxy: CuttableProxy;
  let s: Running;
  let dataDir: string;
  let ws: string;
  let smtp: number;
  const admin = async (q: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await c.query(q, params);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    configureGuard("silent");
    const target = new URL(url!);
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const via = new URL(url!);
    via.host = `127.0.0.1:${proxy.port}`;
    via.searchParams.set("application_name", appName);
    const database = await openDatabase({ databaseUrl: via.toString(), schemaName, poolSize: 4 });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-outage-"));
    const config = loadConfig(
      {},
      {
        dataDir,
        port: 0,
        host: "127.0.0.1",
        smtpPort: await freePort(),
        supportAddress: SUPPORT,
        publicRateLimit: 0,
        adminPassword: "outage-admin-password-1",
        publicUrl: "http://otklik.test",
        logLevel: "silent",
      },
    );
    s = await startServer(config, { database, logger: false });
    ws = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
    smtp = smtpIntakePort(s.ctx)!;
  });
  afterAll(async () => {
    await proxy?.open().catch(() => {});
    await s?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await admin(`drop schema if exists ${schemaName} cascade`);
  });

  const submit = (text: string) =>
    fetch(`${s.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });

  /** Clients still checked out once all is quiet: a transaction whose BEGIN met a dead connection kept its own. */
  async function checkedOut() {
    const pool = (s.ctx.db as unknown as { $client: pg.Pool }).$client;
    for (let i = 0; i < 50 && pool.totalCount !== pool.idleCount; i++) await new Promise((r) => setTimeout(r, 100));
    return pool.totalCount - pool.idleCount;
  }

  async function applicant() {
    const r = await submit("warm-up"); // the pool is back before a session is asked for
    await r.arrayBuffer();
    const res = await fetch(`${s.url}/api/v1/chat/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contact: { email: `outage-${randomUUID()}@example.ru` } }),
    });
    const { token } = (await res.json()) as { token: string };
    const c = await ChatClient.open(`${ws}?token=${token}`);
    await c.waitFor((f) => f.t === "ready");
    return { c, token };
  }

  it("a connection the app holds, terminated by the server, fails its query as an outage and ends nothing", async () => {
    // What would end a real process: an 'error' event no one listens to, thrown out of node-postgres.
    const escaped: unknown[] = [];
    const note = (e: unknown) => escaped.push(e);
    process.on("uncaughtException", note);
    onTestFinished(() => {
      process.off("uncaughtException", note);
    });
    const failure = await s.ctx.db
      .transaction(async (tx) => {
        const [row] = rowsOf<{ pid: number }>(await tx.execute(sql`select pg_backend_pid() as pid`));
        // From another connection, while this one sits idle in its transaction: what a server restart does.
        await admin("select pg_terminate_backend($1)", [row!.pid]);
        await new Promise((r) => setTimeout(r, 200));
        await tx.execute(sql`select 1`);
      })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    // Every connection of the process at once, the LISTEN one included.
    await admin("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [appName]);
    // At once, before the pool has heard of its dead connections: each of these may be handed one.
    for (const res of await Promise.all([1, 2, 3, 4, 5, 6].map((i) => submit(`После обрыва соединений ${i}`)))) {
      expect([201, 503]).toContain(res.status);
      await res.arrayBuffer();
    }
    for (let i = 0; i < 100; i++) {
      const again = await submit("После обрыва соединений, снова");
      await again.arrayBuffer();
      if (again.status === 201) {
        expect(escaped).toEqual([]);
        expect(await checkedOut()).toBe(0);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the server did not come back after its connections were terminated");
  });

  it("answers 503 / SMTP 451 / a retryable chat error while it is away, and carries on by itself after", async () => {
    const { c, token } = await applicant();
    const waitingId = randomUUID();
    await proxy.cut();
    try {
      const res = await submit("Пока базы нет");
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe("database_unavailable");
      expect(problem.detail).toMatch(/База данных временно недоступна/);

      const mail = await sendRaw(
        smtp,
        letter({ from: "outage@example.ru", subject: "Пока базы нет", body: "Письмо", messageId: "<outage-1@x.ru>" }),
        "outage@example.ru",
      ).catch((e: { responseCode?: number; response?: string }) => e);
      expect((mail as { responseCode?: number }).responseCode).toBe(451);
      expect((mail as { response?: string }).response).toMatch(/^451 4\.3\.0 /);

      c.send({ t: "msg", id: waitingId, text: "Пока базы нет, отправлю позже" });
      const refused = await c.waitFor((f) => f.t === "error" && f.id === waitingId);
      expect(refused).toMatchObject({ code: "database_unavailable", retry: true });

      // A socket opened meanwhile is told to come back later (1013), not that it is unknown (4401).
      const late = await ChatClient.open(`${ws}?token=${token}`);
      expect(await new Promise((resolve) => late.socket.once("close", resolve))).toBe(1013);
    } finally {
      await proxy.open();
    }

    let status = 0;
    for (let i = 0; i < 100 && status !== 201; i++) {
      const res = await submit("База вернулась");
      status = res.status;
      await res.arrayBuffer();
      if (status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(201);
    const mail = await sendRaw(
      smtp,
      letter({ from: "outage@example.ru", subject: "Пока базы нет", body: "Письмо", messageId: "<outage-1@x.ru>" }),
      "outage@example.ru",
    );
    expect(mail.response).toMatch(/^250/);
    // The client resends its message under the same id; the bot's answer arrives as a push over LISTEN again.
    c.send({ t: "msg", id: waitingId, text: "Пока базы нет, отправлю позже" });
    const ack = await c.waitFor((f) => f.t === "ack" && f.id === waitingId, 20_000);
    await c.waitFor((f) => f.t === "msg" && f.author === "bot" && Number(f.seq) > Number(ack.seq), 20_000);
    c.close();
    expect(await checkedOut()).toBe(0);
  });
});
