// Group commit of registrations: submissions that arrive together are written in one transaction, and each still
// gets exactly its own request, message, history and event — and its own failure, without failing the others.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { rowsOf } from "../../db/outbox.ts";
import { formatRequestNumber, isValidRequestNumber } from "../number.ts";

let s: TestServer;

beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

async function query<T>(q: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await s.ctx.db.execute(q));
}

describe("registrations arriving together", () => {
  it("writes each submission once, with its own number, message, history and event", async () => {
    const tag = `batch-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        s.ctx.requests.register({
          text: `Не могу войти в личный кабинет, ${tag}-${i}`,
          contact: { email: `batch${i}@example.ru` },
          channel: "web",
        }),
      ),
    );
    expect(new Set(results.map((r) => r.number)).size).toBe(40);
    expect(new Set(results.map((r) => r.id)).size).toBe(40);
    // Numbered by the database in the order the requests were written: valid check digits, rising with the ids.
    expect(results.every((r) => isValidRequestNumber(r.number))).toBe(true);
    const byId = [...results].sort((a, b) => a.id - b.id).map((r) => BigInt(r.number.slice(0, -1)));
    expect(byId.every((n, i) => i === 0 || n > byId[i - 1]!)).toBe(true);

    const rows = await query<{ number: string; body: string; n_messages: number; n_history: number; n_events: number }>(
      sql`select r.number, min(m.body) as body, count(distinct m.id)::int as n_messages,
            (select count(*) from request_history h where h.request_id = r.id and h.action = 'created')::int as n_history,
            (select count(*) from events e where e.topic = 'request.created'
              and (e.payload->>'requestId')::bigint = r.id)::int as n_events
          from requests r join messages m on m.request_id = r.id
          where m.body like ${`%${tag}-%`} group by r.id, r.number`,
    );
    expect(rows).toHaveLength(40);
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    for (const [i, r] of results.entries()) {
      // The answer names the request that holds this submission's own words.
      const row = byNumber.get(r.number)!;
      expect(row.body).toBe(`Не могу войти в личный кабинет, ${tag}-${i}`);
      expect([row.n_messages, row.n_history, row.n_events]).toEqual([1, 1, 1]);
    }

    // Each tracking token opens its own request.
    const track = await s.app.inject({ url: `/api/v1/track/${results[17]!.trackingToken}` });
    expect(track.json().messages[0].body).toContain(`${tag}-17`);
  });

  it("fails only the submission that fails; the others in its group are stored", async () => {
    const tag = `partial-${Date.now()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        s.ctx.requests.register({
          text: `Вопрос о статусе заявления, ${tag}-${i}`,
          channel: "web",
          inTransaction: async () => {
            if (i === 5) throw new Error("channel refused");
          },
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 5 ? "rejected" : "fulfilled")),
    );
    const stored = await query<{ body: string }>(sql`select body from messages where body like ${`%${tag}-%`}`);
    expect(stored.map((r) => r.body).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => i)
        .filter((i) => i !== 5)
        .map((i) => `Вопрос о статусе заявления, ${tag}-${i}`)
        .sort(),
    );
  });

  it("counts a text's characters as a person does: 20,000 emoji pass, 20,001 letters do not", async () => {
    const emoji = "😊".repeat(20_000);
    expect(emoji.length).toBe(40_000);
    const r = await s.ctx.requests.register({ text: emoji, channel: "web" });
    const [stored] = await query<{ body: string }>(sql`select body from messages where request_id = ${r.id}`);
    expect(stored!.body).toBe(emoji);
    await expect(s.ctx.requests.register({ text: "а".repeat(20_001), channel: "web" })).rejects.toMatchObject({
      code: "validation_failed",
    });
  });

  it("answers two copies of one submission in the same group with one request", async () => {
    const same = {
      text: "Повторная отправка одной формы",
      channel: "web" as const,
      idempotencyKey: `key-${Date.now()}`,
    };
    const [a, b, c] = await Promise.all([
      s.ctx.requests.register(same),
      s.ctx.requests.register(same),
      s.ctx.requests.register({ text: "Другое обращение в той же группе", channel: "web" }),
    ]);
    expect(a!.number).toBe(b!.number);
    expect(a!.trackingToken).toBe(b!.trackingToken);
    expect([a!.replayed, b!.replayed].sort()).toEqual([false, true]);
    expect(c!.number).not.toBe(a!.number);
    const copies = await query<{ n: number }>(
      sql`select count(*)::int as n from requests where idempotency_key = ${same.idempotencyKey}`,
    );
    expect(copies[0]!.n).toBe(1);
  });

  it("numbers a request in the database exactly as formatRequestNumber does", async () => {
    const values = [
      0n,
      7n,
      10n,
      99_999n,
      100_001n,
      1_000_198n,
      123_456_789n,
      9_007_199_254_740_993n,
      9_223_372_036_854_775_807n,
    ];
    for (let i = 0n; i < 300n; i++) values.push(1_000_000n + i * 7_919n);
    const rows = await query<{ seq: string; number: string }>(
      sql`select v::text as seq, request_number_of(v) as number from unnest(${`{${values.join(",")}}`}::bigint[]) as v`,
    );
    expect(rows.map((r) => r.number)).toEqual(values.map((v) => formatRequestNumber(v)));
  });
});
