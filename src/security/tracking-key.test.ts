// Tracking tokens that are derived rather than random (a submission with an Idempotency-Key answers a retry with
// the same link) are keyed from the environment, never from the database: a full copy of the database does not
// give the token. The old server secret kept in the settings table is gone, and what it sealed is sealed again.
import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emailInbox } from "../channels/email/db-schema.ts";
import { processLetter, storeLetter } from "../channels/email/inbox.ts";
import { rowsOf } from "../db/outbox.ts";
import { newKey, parseDataKeys } from "./keys.ts";
import { loadKeyring, startEncryption } from "./start.ts";

const INDEX_KEY = randomBytes(32);
const DATA_KEYS = parseDataKeys(`k1:${newKey()}`);

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer({ dataKeys: DATA_KEYS, indexKey: INDEX_KEY, supportAddress: "support@otklik.local" });
});
afterAll(() => s?.close());

const rows = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await s.ctx.db.execute(q));

/** Every value of every row of every table, as an attacker holding a copy of the database would read them. */
async function dumpEverything(): Promise<unknown[]> {
  const tables = await rows<{ name: string }>(
    sql`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["settings", "requests", "users"]));
  const values: unknown[] = [];
  for (const t of tables) {
    for (const row of await rows<Record<string, unknown>>(sql`select * from ${sql.identifier(t.name)}`)) {
      values.push(...Object.values(row));
    }
  }
  return values;
}

/** Byte strings a stored value could be a key in: the text itself, and what it decodes to as base64 or hex. */
function keyCandidates(values: unknown[]): Buffer[] {
  const out: Buffer[] = [];
  const visit = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (v instanceof Uint8Array) out.push(Buffer.from(v));
    else if (typeof v === "string") {
      out.push(Buffer.from(v));
      if (/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(v))
        out.push(Buffer.from(v, v.includes("-") || v.includes("_") ? "base64url" : "base64"));
      if (/^[0-9a-f]{32,}$/i.test(v)) out.push(Buffer.from(v, "hex"));
      for (const part of v.split(":")) if (part.length >= 16 && part !== v) visit(part);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object") Object.values(v as object).forEach(visit);
  };
  values.forEach(visit);
  return out;
}

const hmac = (key: Buffer, key2: string, hash: string) =>
  createHmac("sha256", key).update(`${key2}\n${hash}`).digest("base64url");
/** The two ways a tracking key could come from a secret: used as it is, or through HKDF with the label in the code. */
const derivations = (secret: Buffer) => [
  secret,
  Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "otklik tracking token", 32)),
];

async function submit(key: string, text: string) {
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    headers: { "idempotency-key": key },
    payload: { text, contact: { email: "applicant@example.ru" } },
  });
  expect([200, 201], res.body).toContain(res.statusCode);
  return { ...(res.json() as { number: string }), token: new URL(res.json().trackingUrl).pathname.split("/").pop()! };
}

describe("tracking tokens of idempotent submissions", () => {
  it("cannot be derived from a copy of the whole database", async () => {
    const key = "form-9f1c2d7e-retry";
    const { number, token } = await submit(key, "Не приходит код подтверждения при входе на портал.");
    const [row] = await rows<{ idempotency_hash: string; tracking_token_hash: string }>(
      sql`select idempotency_hash, tracking_token_hash from requests where number = ${number}`,
    );
    expect(row!.tracking_token_hash).toBe(createHash("sha256").update(token).digest("hex"));

    // The acknowledgement letter carries the link while it waits to be sent (docs/SECURITY.md: a letter's text is
    // dropped once it goes); once the outbox has done its work, nothing in the database holds the token.
    await s.ctx.worker.kick();
    const dump = await dumpEverything();
    expect(JSON.stringify(dump)).not.toContain(token);
    const candidates = keyCandidates(dump);
    expect(candidates.length).toBeGreaterThan(100);
    const opened = candidates.filter((c) => derivations(c).some((k) => hmac(k, key, row!.idempotency_hash) === token));
    expect(opened.map((c) => c.toString("base64"))).toEqual([]);
    // The settings table holds no server secret any more.
    expect(await rows(sql`select key from settings where key = 'secret'`)).toEqual([]);

    // Whoever holds the environment's index key does derive it: the search above was looking in the right way.
    expect(derivations(INDEX_KEY).some((k) => hmac(k, key, row!.idempotency_hash) === token)).toBe(true);
    // And a retry gets the same link.
    expect((await submit(key, "Не приходит код подтверждения при входе на портал.")).token).toBe(token);
  });

  it("a retry after the key changed is told the request's number instead of a link that no longer opens", async () => {
    const key = "form-key-change-1";
    const first = await submit(key, "Вопрос о записи к врачу через портал.");
    loadKeyring({ dataKeys: DATA_KEYS, indexKey: randomBytes(32) });
    try {
      const retry = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        headers: { "idempotency-key": key },
        payload: { text: "Вопрос о записи к врачу через портал.", contact: { email: "applicant@example.ru" } },
      });
      expect(retry.statusCode, retry.body).toBe(409);
      expect(retry.json().code).toBe("idempotency_link_unavailable");
      expect(retry.json().detail.replace(/\s/g, "")).toContain(first.number);
    } finally {
      loadKeyring({ dataKeys: DATA_KEYS, indexKey: INDEX_KEY });
    }
  });
});

describe("the old server secret", () => {
  it("is read once to seal e-mail tracking links again under the data keys, then deleted", async () => {
    const letter = Buffer.from(
      [
        "From: applicant@example.ru",
        "To: support@otklik.local",
        "Subject: Не могу войти",
        "Message-ID: <legacy-seal-1@example.ru>",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Здравствуйте! Не приходит код при входе.",
        "",
      ].join("\r\n"),
    );
    const id = await storeLetter(s.ctx, letter, {
      mailFrom: "applicant@example.ru",
      rcptTo: ["support@otklik.local"],
      remoteAddress: "127.0.0.1",
      via: "smtp",
    });
    await processLetter(s.ctx, id);
    const [stored] = await rows<{ tracking_sealed: string }>(
      sql`select tracking_sealed from email_inbox where id = ${id}`,
    );
    expect(stored!.tracking_sealed).toMatch(/^v1:k1:/);
    const [kept] = await s.ctx.db
      .select({ token: emailInbox.trackingSealed })
      .from(emailInbox)
      .where(eq(emailInbox.id, id));
    const token = kept!.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The state an older version left: a server secret in the settings and the link sealed with a key made from it.
    const secret = randomBytes(32);
    const sealKey = createHmac("sha256", secret).update("email tracking token").digest();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", sealKey, iv);
    const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    const legacy = Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
    await s.ctx.db.execute(sql`update email_inbox set tracking_sealed = ${legacy} where id = ${id}`);
    await s.ctx.db.execute(sql`insert into settings (key, value) values ('secret', ${secret.toString("base64")})`);

    await startEncryption(s.ctx.db, s.ctx.config);
    const [after] = await rows<{ tracking_sealed: string }>(
      sql`select tracking_sealed from email_inbox where id = ${id}`,
    );
    expect(after!.tracking_sealed).toMatch(/^v1:k1:/);
    const [read] = await s.ctx.db
      .select({ token: emailInbox.trackingSealed })
      .from(emailInbox)
      .where(eq(emailInbox.id, id));
    expect(read!.token).toBe(token);
    expect(await rows(sql`select key from settings where key = 'secret'`)).toEqual([]);
  });
});
