// Filling the applicant record: from each new request (its e-mail and phone were given together), from a contact a
// request learns later (a call's number), from a verified portal account, and once, in the background, from the
// requests registered before the record existed.
import { eq } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Db, Queryable, Tx } from "../db/client.ts";
import { type EventMessage, type JobHandler, jobFor } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";
import { contactHashesAfter, contactHashesById, contactHashesByIds } from "../requests/queries.ts";
import type { ContactKind } from "./db-schema.ts";
import { type ContactKey, contactsOfApplicant, linkContacts, linkMany } from "./store.ts";

/** The contact keys of a request's row (blind indexes already stored beside its encrypted contacts). */
export function keysOf(row: { emailHash: string | null; phoneHash: string | null }): ContactKey[] {
  return [
    ...(row.emailHash ? [{ kind: "email" as const, hash: row.emailHash }] : []),
    ...(row.phoneHash ? [{ kind: "phone" as const, hash: row.phoneHash }] : []),
  ];
}

/** The job on `request.created` and `request.contact_added`: the request's contacts join one applicant. */
export function linkRequestJob(ctx: AppContext): JobHandler {
  // A registration's event says whether the request was given any contact: without one there is nothing to link (and
  // the event is not even claimed).
  const wants = (event: EventMessage) =>
    typeof event.data.requestId === "number" && !(event.data.hasEmail === false && event.data.hasPhone === false);
  return jobFor(
    wants,
    async (event) => {
      const requestId = event.data.requestId;
      if (typeof requestId !== "number") return;
      const row = await contactHashesById(ctx.db, requestId);
      if (!row) return;
      const keys = keysOf(row);
      if (keys.length > 0) await ctx.db.transaction((tx) => linkContacts(tx, keys));
    },
    // A burst of registrations: one read of their contacts and one transaction for all of them.
    async (events) => {
      const ids = events.map((e) => e.data.requestId).filter((id): id is number => typeof id === "number");
      const groups = (await contactHashesByIds(ctx.db, ids)).map(keysOf).filter((keys) => keys.length > 0);
      if (groups.length > 0) await ctx.db.transaction((tx) => linkMany(tx, groups));
      return new Map();
    },
  );
}

const BACKFILL_SETTING = "applicants_backfilled_to";

/**
 * Links the contacts of requests registered before the applicant record existed, a batch per transaction, remembering
 * how far it got (a restart goes on from there). Returns how many requests it read.
 */
export async function backfillApplicants(
  db: Db,
  opts: { batch?: number; stopped?: () => boolean; pauseMs?: number } = {},
) {
  const [mark] = await db.select().from(settings).where(eq(settings.key, BACKFILL_SETTING));
  let after = mark ? Number(mark.value) : 0;
  let read = 0;
  for (;;) {
    if (opts.stopped?.()) break;
    const rows = await contactHashesAfter(db, after, opts.batch ?? 200);
    if (rows.length === 0) break;
    const last = rows[rows.length - 1]!.id;
    await db.transaction(async (tx) => {
      await linkMany(
        tx,
        rows.map(keysOf).filter((keys) => keys.length > 0),
      );
      await tx
        .insert(settings)
        .values({ key: BACKFILL_SETTING, value: String(last) })
        .onConflictDoUpdate({ target: settings.key, set: { value: String(last) } });
    });
    after = last;
    read += rows.length;
    // On the embedded database (one connection) a pause between batches lets the requests of the day through.
    if (opts.pauseMs) await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
  }
  return read;
}

/** The blind indexes of one person's e-mails and phones, from those a request or a call starts with. */
export async function personHashes(
  db: Queryable,
  start: { emailHash: string | null; phoneHash: string | null },
): Promise<{ email: string[]; phone: string[] }> {
  const all = await contactsOfApplicant(db, keysOf(start));
  return {
    email: all.filter((k) => k.kind === "email").map((k) => k.hash),
    phone: all.filter((k) => k.kind === "phone").map((k) => k.hash),
  };
}

/** What other rooms ask of the applicant record (the `applicants` service). */
export type ApplicantRecord = {
  /** Joins contacts seen together (a call's number and the portal account verified in it). */
  link(tx: Tx, keys: { kind: ContactKind; hash: string }[]): Promise<number | null>;
  /** The e-mails and phones (blind indexes) of the person with this e-mail or phone, these included. */
  person: typeof personHashes;
};

export const applicantRecord: ApplicantRecord = { link: linkContacts, person: personHashes };
