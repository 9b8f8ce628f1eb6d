// The audit chain anchored outside its table: a signed checkpoint names the head, so deleting the newest entries, or
// the oldest with the anchor reset, or rewriting the chain whole is caught and named; a retention purge, signed into
// the chain, still verifies; a checkpoint that was not signed with our key is refused.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { rowsOf } from "../db/outbox.ts";
import { purge } from "../retention/retention.ts";
import { takeCheckpoint } from "./anchor.ts";
import { audit, verifyChain } from "./audit.ts";
import { digest, GENESIS } from "./chain.ts";
import { auditKey, findCheckpoints, signCheckpoint } from "./seal.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());
beforeEach(async () => {
  await s.ctx.db.execute(sql`delete from audit_log`);
  await s.ctx.db.execute(sql`delete from settings where key = 'audit_anchor'`);
});

async function append(n: number, from = 0) {
  for (let i = 0; i < n; i++) {
    await s.ctx.db.transaction((tx) =>
      audit(tx, { actorId: 1, action: "request.view", subjectType: "request", subjectId: String(from + i) }),
    );
  }
}

type Row = { id: number; hash: string; at: Date; action: string };
async function entries(): Promise<Row[]> {
  return rowsOf<Row>(await s.ctx.db.execute(sql`select id, hash, at, action from audit_log order by id`)).map((r) => ({
    ...r,
    id: Number(r.id),
    at: new Date(r.at),
  }));
}

const codes = (v: { problems: { code: string }[] }) => v.problems.map((p) => p.code);

describe("audit checkpoints", () => {
  it("names the deletion of the newest entries, which the chain alone cannot see", async () => {
    await append(6);
    const { token } = await takeCheckpoint(s.ctx.db);
    expect(await verifyChain(s.ctx.db, { checkpoints: [token] })).toMatchObject({ ok: true, checked: 6 });

    const all = await entries();
    await s.ctx.db.execute(sql`delete from audit_log where id > ${all[3]!.id}`);
    // What is left still links up from the anchor: only the checkpoint knows there was more.
    expect((await verifyChain(s.ctx.db)).ok).toBe(true);
    const v = await verifyChain(s.ctx.db, { checkpoints: [token] });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ code: "newest_deleted", entryId: all[5]!.id, missing: 2 })]);
    expect(v.problems[0]!.detail).toContain(`№ ${all[5]!.id}`);
    expect(v.problems[0]!.detail).toContain("не хватает 2 записей");

    // New entries chained onto the shortened log do not hide the gap.
    await append(3, 100);
    const later = await verifyChain(s.ctx.db, { checkpoints: [token] });
    expect(later.problems).toEqual([expect.objectContaining({ code: "entry_deleted", entryId: all[5]!.id })]);
  });

  it("names the deletion of the oldest entries with the anchor reset, with a checkpoint or without", async () => {
    await append(6);
    const { token } = await takeCheckpoint(s.ctx.db);
    const all = await entries();
    await s.ctx.db.execute(sql`delete from audit_log where id <= ${all[1]!.id}`);
    await s.ctx.db.execute(
      sql`insert into settings (key, value) values ('audit_anchor', ${all[1]!.hash})
        on conflict (key) do update set value = excluded.value`,
    );
    const alone = await verifyChain(s.ctx.db);
    expect(alone.ok).toBe(false);
    expect(codes(alone)).toEqual(["anchor_unrecorded"]);
    expect(alone.brokenAt).toBe(all[2]!.id);

    const v = await verifyChain(s.ctx.db, { checkpoints: [token] });
    expect(codes(v)).toEqual(["anchor_unrecorded", "oldest_deleted"]);
    expect(v.problems[1]).toMatchObject({ entryId: all[5]!.id, missing: 2 });

    // The anchor set back to the beginning instead: the first entry left points at one that is gone.
    await s.ctx.db.execute(sql`delete from settings where key = 'audit_anchor'`);
    const reset = await verifyChain(s.ctx.db, { checkpoints: [token] });
    expect(codes(reset)).toEqual(["oldest_deleted", "oldest_deleted"]);
    expect(reset.brokenAt).toBe(all[2]!.id);
  });

  it("names a chain rewritten whole from the beginning", async () => {
    await append(5);
    const { token } = await takeCheckpoint(s.ctx.db);
    const all = await entries();
    await s.ctx.db.execute(sql`delete from audit_log where id <= ${all[1]!.id}`);
    // Whoever can write the table can recompute every hash from the genesis: only a hash kept elsewhere tells.
    let prev = GENESIS;
    const rows = rowsOf<{
      id: number;
      at: Date;
      actor_id: number | null;
      action: string;
      subject_type: string;
      subject_id: string;
      reason: string | null;
      details: Record<string, unknown>;
    }>(await s.ctx.db.execute(sql`select * from audit_log order by id`));
    for (const r of rows) {
      const hash = digest(prev, new Date(r.at), {
        actorId: r.actor_id,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        reason: r.reason,
        details: r.details,
      });
      await s.ctx.db.execute(sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`);
      prev = hash;
    }
    expect((await verifyChain(s.ctx.db)).ok).toBe(true);
    const v = await verifyChain(s.ctx.db, { checkpoints: [token] });
    expect(v.problems).toEqual([expect.objectContaining({ code: "checkpoint_mismatch", entryId: all[4]!.id })]);
  });

  it("refuses a checkpoint that was not signed with the key of this installation", async () => {
    await append(3);
    const { token, checkpoint } = await takeCheckpoint(s.ctx.db);
    const [prefix, version, payload, signature] = token.split(".") as [string, string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    // A checkpoint claiming more entries than there were, so that a shortened log would pass for the truth.
    const inflated = Buffer.from(JSON.stringify({ ...claims, count: claims.count + 5 })).toString("base64url");
    const forged = [prefix, version, inflated, signature].join(".");
    const v = await verifyChain(s.ctx.db, { checkpoints: [forged] });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ code: "checkpoint_forged" })]);
    expect(v.checkpoints).toMatchObject({ given: 1, accepted: 0, rejected: 1 });

    const stranger = signCheckpoint(auditKey(randomBytes(32)), checkpoint);
    expect(codes(await verifyChain(s.ctx.db, { checkpoints: [stranger] }))).toEqual(["checkpoint_other_key"]);
    expect(codes(await verifyChain(s.ctx.db, { checkpoints: [`${prefix}.${version}.e30.AAAA`] }))).toEqual([
      "checkpoint_forged",
    ]);
    // The genuine one still holds.
    expect((await verifyChain(s.ctx.db, { checkpoints: [token] })).ok).toBe(true);
  });

  it("keeps verifying across a retention purge, which it tells from a deletion", async () => {
    await append(4);
    const early = (await takeCheckpoint(s.ctx.db)).token;
    const cutoff = new Date((await entries())[3]!.at.getTime() + 1);
    // The next entries are strictly younger than the cutoff.
    while (Date.now() <= cutoff.getTime()) await new Promise((r) => setTimeout(r, 2));
    await append(2, 10);
    const middle = (await takeCheckpoint(s.ctx.db)).token;
    // `now` such that the audit log's cutoff falls between the fourth and the fifth entry.
    const now = new Date(cutoff.getTime() + 30 * 86_400_000);
    const policy = { requestDays: 36500, rawMailDays: 36500, auditDays: 30, eventDays: 36500 };
    const report = await purge(s.ctx.database, s.ctx.requests, s.ctx.files, policy, now);
    expect(report.audit).toBe(4);
    const left = await entries();
    expect(left.map((e) => e.action)).toEqual(["request.view", "request.view", "audit.purge"]);
    const late = (await takeCheckpoint(s.ctx.db)).token;

    const v = await verifyChain(s.ctx.db, { checkpoints: [early, middle, late] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ ok: true, checked: 3, purged: 4, checkpoints: { accepted: 3, purgedSince: 1 } });
    expect(v.head).toMatchObject({ id: left[2]!.id, count: 7 });
    // Under another key the purge's record cannot be checked, and that is said rather than taken on trust.
    expect(codes(await verifyChain(s.ctx.db, { key: auditKey(randomBytes(32)) }))).toEqual(["purge_other_key"]);

    // A deletion after the purge, dressed up as one more purge, is not.
    await s.ctx.db.execute(sql`delete from audit_log where id = ${left[0]!.id}`);
    await s.ctx.db.execute(sql`update settings set value = ${left[0]!.hash} where key = 'audit_anchor'`);
    await s.ctx.db.transaction((tx) =>
      audit(tx, {
        actorId: null,
        action: "audit.purge",
        subjectType: "audit_log",
        subjectId: String(left[0]!.id),
        details: { throughId: left[0]!.id, anchor: left[0]!.hash, removed: 1, purgedTotal: 5, mac: "AAAA" },
      }),
    );
    const tampered = await verifyChain(s.ctx.db, { checkpoints: [early, middle, late] });
    expect(codes(tampered)).toEqual(["purge_forged", "anchor_unrecorded", "oldest_deleted"]);
    // Nor is the forged record signed over by the next purge, which would carry its count on.
    await expect(
      purge(s.ctx.database, s.ctx.requests, s.ctx.files, policy, new Date(now.getTime() + 86_400_000)),
    ).rejects.toThrow(/подделана/);
  });

  it("writes a signed checkpoint line at start and at stop", async () => {
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    let other: TestServer | undefined;
    try {
      other = await createTestServer({ logLevel: "info" });
      await other.close();
    } finally {
      spy.mockRestore();
    }
    const lines = out.split("\n").filter((l) => l.includes('"msg":"audit checkpoint"'));
    expect(lines).toHaveLength(2);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 30, event: "start" });
    expect(findCheckpoints(out)).toHaveLength(2);
  });
});
