import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/database.ts";
import type { Database } from "../db/client.ts";
import { applicantContacts, applicants } from "./db-schema.ts";
import { type ContactKey, linkContacts, linkMany } from "./store.ts";

let test: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;

beforeAll(async () => {
  test = await createTestDatabase("applicants");
  database = test.database;
});
afterAll(() => test?.close());

/** A small deterministic generator, so that a failing case can be run again. */
function generator(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
}

const key = (k: ContactKey) => `${k.kind}:${k.hash}`;

/**
 * Who is who: each applicant's contacts, as sorted lists, marked with the applicant's place among those that existed
 * before (the ids themselves differ from one way to the other).
 */
async function people(before: number[]) {
  const rows = await database.db.select().from(applicantContacts);
  const by = new Map<number, string[]>();
  for (const r of rows) by.set(r.applicantId, [...(by.get(r.applicantId) ?? []), `${r.kind}:${r.hash}`]);
  const ids = (await database.db.select({ id: applicants.id }).from(applicants)).map((r) => r.id);
  return {
    persons: [...by]
      .map(([id, keys]) => `${before.includes(id) ? `#${before.indexOf(id)} ` : ""}${keys.sort().join(" ")}`)
      .sort(),
    // No applicant is left without contacts (a merged one is deleted).
    empty: ids.filter((id) => !by.has(id)).length,
  };
}

async function clear() {
  await database.db.execute(sql`delete from applicant_contacts`);
  await database.db.execute(sql`delete from applicants`);
}

describe("linking contacts together", () => {
  it("joins a burst of groups as linking each group in turn would: shared contacts, known ones, merges", async () => {
    for (let round = 0; round < 12; round++) {
      const next = generator(round + 1);
      const pool: ContactKey[] = Array.from({ length: 14 }, (_, i) => ({
        kind: i % 3 === 0 ? "phone" : "email",
        hash: `h${round}-${i}`,
      }));
      const pick = (n: number) => Array.from({ length: n }, () => pool[next(pool.length)]!);
      // What is known before the burst: a few applicants with a contact or two each.
      const existing = Array.from({ length: 3 }, () => pick(1 + next(2)));
      const burst = Array.from({ length: 8 }, () => pick(next(3)));

      const answers: Record<string, (number | null)[]> = {};
      const found: Record<string, Awaited<ReturnType<typeof people>>> = {};
      for (const way of ["one by one", "together"]) {
        await clear();
        const before: number[] = [];
        await database.db.transaction(async (tx) => {
          for (const group of existing) {
            const id = await linkContacts(tx, group);
            if (id !== null && !before.includes(id)) before.push(id);
          }
        });
        answers[way] = await database.db.transaction(async (tx) => {
          if (way === "together") return linkMany(tx, burst);
          const ids: (number | null)[] = [];
          for (const group of burst) ids.push(await linkContacts(tx, group));
          return ids;
        });
        found[way] = await people(before);
        // Together, each group's answer is the applicant that now holds its contacts (one by one, an earlier answer may
        // have been merged into another since).
        if (way === "one by one") continue;
        const holder = new Map(
          (await database.db.select().from(applicantContacts)).map((r) => [`${r.kind}:${r.hash}`, r.applicantId]),
        );
        burst.forEach((group, i) => {
          if (group.length === 0) expect(answers[way]![i]).toBeNull();
          else for (const k of group) expect(holder.get(key(k))).toBe(answers[way]![i]);
        });
      }
      expect(found.together).toEqual(found["one by one"]);
      expect(found.together!.empty).toBe(0);
    }
  });

  it("makes one applicant of two groups that share a contact, and keeps the oldest of two known ones", async () => {
    await clear();
    const a = { kind: "email" as const, hash: "merge-a" };
    const b = { kind: "phone" as const, hash: "merge-b" };
    const c = { kind: "email" as const, hash: "merge-c" };
    const [first, second] = await database.db.transaction(async (tx) => [
      await linkContacts(tx, [a]),
      await linkContacts(tx, [b]),
    ]);
    const ids = await database.db.transaction((tx) => linkMany(tx, [[c], [c, a], [b], [b, c]]));
    expect(ids).toEqual([first, first, first, first]);
    expect(second).not.toBe(first);
    const left = await database.db.select({ id: applicants.id }).from(applicants);
    expect(left.map((r) => r.id)).toEqual([first]);
  });
});
