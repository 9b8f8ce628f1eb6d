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
  const unique = keys.filter((k, i) => keys.findIndex((o) => o.kind === k.kind && o.hash === k.hash) === i);
  if (unique.length === 0) return null;
  // One linking at a time: two jobs joining overlapping contacts must not make two applicants of one person.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik.applicants'))`);
  const known = await tx
    .selectDistinct({ id: applicantContacts.applicantId })
    .from(applicantContacts)
    .where(matches(unique));
  const ids = known.map((r) => r.id).sort((a, b) => a - b);
  const id = ids[0];
  if (id === undefined) {
    // A new applicant and its contacts in one statement; it was made just now, so nothing more to update.
    const [row] = rowsOf<{ id: number }>(
      await tx.execute(sql`with a as (insert into ${applicants} default values returning id),
        c as (insert into ${applicantContacts} (kind, hash, applicant_id)
          select k.kind, k.hash, a.id from a, unnest(${toTextArray(unique.map((k) => k.kind))}::text[],
            ${toTextArray(unique.map((k) => k.hash))}::text[]) as k(kind, hash)
          on conflict do nothing)
        select id from a`),
    );
    return Number(row!.id);
  }
  if (ids.length > 1) {
    const others = ids.slice(1);
    await tx.update(applicantContacts).set({ applicantId: id }).where(inArray(applicantContacts.applicantId, others));
    await tx.delete(applicants).where(inArray(applicants.id, others));
  }
  await tx
    .insert(applicantContacts)
    .values(unique.map((k) => ({ kind: k.kind, hash: k.hash, applicantId: id })))
    .onConflictDoNothing();
  await tx.update(applicants).set({ updatedAt: new Date() }).where(eq(applicants.id, id));
  return id;
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

/** A text array literal for a parameter (`{"a","b"}`), quoting what needs it. */
function toTextArray(items: string[]): string {
  return `{${items.map((t) => `"${t.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}
