// The applicant record's SQL: contacts seen together (on one request, in one call) make one applicant; a contact
// already known brings the others to its applicant, and two applicants that turn out to share a contact become one.
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { applicantContacts, applicants, type ContactKind } from "./db-schema.ts";

export type ContactKey = { kind: ContactKind; hash: string };

const matches = (keys: ContactKey[]) =>
  or(...keys.map((k) => and(eq(applicantContacts.kind, k.kind), eq(applicantContacts.hash, k.hash))));

/**
 * Joins the contacts into one applicant, in the caller's transaction: the applicant who has any of them already (the
 * oldest, when several turn out to be one person), or a new one. Returns its id, or null for no contact at all.
 */
export async function linkContacts(tx: Tx, keys: ContactKey[]): Promise<number | null> {
  const [id] = await linkMany(tx, [keys]);
  return id ?? null;
}

const keyOf = (k: ContactKey) => `${k.kind}:${k.hash}`;

/**
 * Joins each group's contacts into one applicant, as `linkContacts` for each group in turn would, with a few statements
 * for all of them (a burst of registrations links in one transaction): groups that share a contact, or whose contacts
 * are known to different applicants, become one applicant, the oldest. Returns each group's applicant id (null for a
 * group without contacts).
 */
export async function linkMany(tx: Tx, groups: ContactKey[][]): Promise<(number | null)[]> {
  const all = new Map<string, ContactKey>();
  for (const group of groups) for (const k of group) all.set(keyOf(k), k);
  if (all.size === 0) return groups.map(() => null);
  // One linking at a time: two jobs joining overlapping contacts must not make two applicants of one person.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik.applicants'))`);
  const known = await tx
    .select({ kind: applicantContacts.kind, hash: applicantContacts.hash, id: applicantContacts.applicantId })
    .from(applicantContacts)
    .where(matches([...all.values()]));
  // Contacts and applicants joined into people: a group joins its contacts, a known contact joins its applicant.
  const people = new Joined();
  for (const group of groups) for (const k of group) people.join(keyOf(group[0]!), keyOf(k));
  for (const row of known) people.join(keyOf(row as ContactKey), `#${row.id}`);
  const persons = new Map<string, { keys: ContactKey[]; ids: number[]; id?: number }>();
  const personOf = (node: string) => {
    const root = people.find(node);
    const p = persons.get(root) ?? { keys: [], ids: [] };
    persons.set(root, p);
    return p;
  };
  for (const [node, k] of all) personOf(node).keys.push(k);
  for (const id of new Set(known.map((r) => r.id))) personOf(`#${id}`).ids.push(id);
  const list = [...persons.values()];
  const fresh = list.filter((p) => p.ids.length === 0);
  if (fresh.length > 0) {
    const made = rowsOf<{ id: number }>(
      await tx.execute(
        sql`insert into ${applicants} (created_at) select now() from generate_series(1, ${fresh.length}::int) returning id`,
      ),
    );
    fresh.forEach((p, i) => {
      p.id = Number(made[i]!.id);
    });
  }
  const kept: number[] = [];
  for (const p of list) {
    if (p.ids.length === 0) continue;
    const [id, ...others] = p.ids.sort((a, b) => a - b);
    p.id = id!;
    kept.push(id!);
    if (others.length > 0) {
      await tx
        .update(applicantContacts)
        .set({ applicantId: id! })
        .where(inArray(applicantContacts.applicantId, others));
      await tx.delete(applicants).where(inArray(applicants.id, others));
    }
  }
  // Every contact with its applicant; those it already had stay as they are.
  const rows = list.flatMap((p) => p.keys.map((k) => ({ kind: k.kind, hash: k.hash, applicantId: p.id! })));
  await tx.insert(applicantContacts).values(rows).onConflictDoNothing();
  if (kept.length > 0) await tx.update(applicants).set({ updatedAt: new Date() }).where(inArray(applicants.id, kept));
  return groups.map((group) => (group.length === 0 ? null : personOf(keyOf(group[0]!)).id!));
}

/** Nodes joined into sets (union–find): the contacts and applicants of one person. */
class Joined {
  private readonly up = new Map<string, string>();

  find(node: string): string {
    let root = node;
    for (let next = this.up.get(root); next !== undefined && next !== root; next = this.up.get(root)) root = next;
    if (!this.up.has(root)) this.up.set(root, root);
    // Shorten the path walked, so the next find is one step.
    for (let cur = node; cur !== root; ) {
      const next = this.up.get(cur)!;
      this.up.set(cur, root);
      cur = next;
    }
    return root;
  }

  join(a: string, b: string) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.up.set(ra, rb);
  }
}

/** Every contact of the applicant who has one of `keys` (the keys themselves included), or just the keys. */
export async function contactsOfApplicant(db: Queryable, keys: ContactKey[]): Promise<ContactKey[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .select({ kind: applicantContacts.kind, hash: applicantContacts.hash })
    .from(applicantContacts)
    .where(
      inArray(
        applicantContacts.applicantId,
        db.select({ id: applicantContacts.applicantId }).from(applicantContacts).where(matches(keys)),
      ),
    );
  const all = [...keys, ...rows.map((r) => ({ kind: r.kind as ContactKind, hash: r.hash }))];
  return all.filter((k, i) => all.findIndex((o) => o.kind === k.kind && o.hash === k.hash) === i);
}
