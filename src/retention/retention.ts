// Personal data is kept no longer than needed (152-FZ). Each kind has its period; the purge removes or blanks
// what has outlived it, and keeps what statistics need (dates, channel, category, rating) without the person.
import { sql } from "drizzle-orm";
import { purgeAudit } from "../audit/anchor.ts";
import type { Database, Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import type { FileStore } from "../files/store.ts";
import { idListSql, PURGED_TEXT, type RequestCore } from "../requests/core/index.ts";

export type RetentionPolicy = {
  /** Requests resolved or closed longer ago lose their applicant's data: contacts, texts, files. */
  requestDays: number;
  /** Raw e-mail letters as received. */
  rawMailDays: number;
  /** The audit log of access to personal data. */
  auditDays: number;
  /** Announcements in the outbox that have been carried out. */
  eventDays: number;
};

async function tableExists(db: Queryable, name: string) {
  const r = await db.execute(sql`select to_regclass(${name}) is not null as present`);
  return Boolean(rowsOf<{ present: boolean }>(r)[0]?.present);
}

export type PurgeReport = {
  requests: number;
  files: number;
  rawMail: number;
  audit: number;
  events: number;
  /** Handled messenger webhook updates (VK, MAX). */
  updates: number;
  /** Messenger chats whose every conversation is past the period. */
  contacts: number;
  /** Calls that never became a request, begun before the period, whose numbers went. */
  calls: number;
  /** Applicant records left with no contact. */
  applicants: number;
  sessions: number;
};

export async function purge(
  database: Database,
  requests: RequestCore,
  files: FileStore,
  policy: RetentionPolicy,
  now = new Date(),
): Promise<PurgeReport> {
  const db = database.db;
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const requestCutoff = before(policy.requestDays);

  const report: PurgeReport = {
    requests: 0,
    files: 0,
    rawMail: 0,
    audit: 0,
    events: 0,
    updates: 0,
    contacts: 0,
    calls: 0,
    applicants: 0,
    sessions: 0,
  };
  const fileIds: string[] = [];
  await db.transaction(async (tx) => {
    // The registry blanks its own rows (the request core); each channel's rows of the same requests follow here.
    const purged = await requests.purgePersonalData(tx, requestCutoff);
    const ids = purged.ids;
    report.requests = ids.length;
    fileIds.push(...purged.files);
    if (ids.length === 0) return;
    const idList = idListSql(ids);
    if (await tableExists(tx, "chat_conversations")) {
      await tx.execute(sql`update chat_conversations set contact_name = null, contact_email = null, contact_phone = null
        where request_id in (${idList})`);
    }
    if (await tableExists(tx, "chat_messages")) {
      await tx.execute(sql`update chat_messages set body = ${PURGED_TEXT} where conversation_id in
        (select id from chat_conversations where request_id in (${idList}))`);
    }
    if (await tableExists(tx, "email_inbox"))
      await tx.execute(sql`delete from email_inbox where request_id in (${idList})`);
    if (await tableExists(tx, "email_outbox"))
      await tx.execute(sql`delete from email_outbox where request_id in (${idList})`);
    // The numbers texted, the links and counts kept for the policy, a rating question waiting for the caller's
    // next call and the replies to a messenger chat that never went (a sent one keeps no text) go with the request's
    // contacts.
    for (const table of [
      "sms_outbox",
      "notification_short_links",
      "notification_log",
      "phone_rating_invitations",
      "messenger_outbox",
    ]) {
      if (await tableExists(tx, table)) {
        await tx.execute(sql`delete from ${sql.identifier(table)} where request_id in (${idList})`);
      }
    }
    if (await tableExists(tx, "phone_verifications")) {
      // Who verified the caller and how each item held stay; the portal account checked against goes.
      await tx.execute(sql`update phone_verifications set account_id = null where request_id in (${idList})`);
    }
    if (await tableExists(tx, "phone_calls")) {
      // The applicant's number is «from» on a call in and «to» on a call out: both go, with their indexes.
      await tx.execute(sql`update phone_calls set from_number = null, from_hash = null, to_number = null, to_hash = null
        where request_id in (${idList})`);
    }
  });
  // A messenger chat's record (its id and the name it shows, sealed) outlives no request of its own: it goes once every
  // conversation it had is past the period (its request's data purged, or, without a request, begun before the
  // cutoff), with its threads and its queue. A later message from that chat makes a new one.
  if (await tableExists(db, "messenger_contacts")) {
    report.contacts = rowsOf(
      await db.execute(sql`
        delete from messenger_contacts c
        where c.created_at < ${requestCutoff}
          and not exists (
            select 1 from chat_conversations cc left join requests r on r.id = cc.request_id
            where (cc.id = c.conversation_id
                or cc.id in (select t.conversation_id from messenger_threads t where t.contact_id = c.id))
              and (case when r.id is null then cc.created_at >= ${requestCutoff}
                   else not (r.status in ('resolved', 'closed') and coalesce(r.closed_at, r.resolved_at) < ${requestCutoff})
                   end))
        returning c.id`),
    ).length;
  }
  // A call that never became a request keeps its numbers no longer than a request would: once it began before the
  // cutoff they go, as a purged request's calls' do, and so does the portal account a verification on it was checked
  // against. What the call log counts (times, line, queue, outcome) stays.
  if (await tableExists(db, "phone_calls")) {
    await db.transaction(async (tx) => {
      report.calls = rowsOf(
        await tx.execute(sql`
          update phone_calls set from_number = null, from_hash = null, to_number = null, to_hash = null
          where request_id is null and started_at < ${requestCutoff}
            and (from_hash is not null or to_hash is not null or from_number is not null or to_number is not null)
          returning id`),
      ).length;
      if (await tableExists(tx, "phone_verifications")) {
        await tx.execute(sql`update phone_verifications v set account_id = null
          from phone_calls c
          where v.call_id = c.id and c.request_id is null and c.started_at < ${requestCutoff}
            and v.request_id is null and v.account_id is not null`);
      }
    });
  }
  if (await tableExists(db, "applicant_contacts")) report.applicants = await purgeApplicantRecord(db, requestCutoff);
  // Files go after the commit: a crash in between leaves an orphan file, never a row pointing at nothing.
  for (const id of fileIds) await files.remove(id);
  report.files = fileIds.length;

  if (await tableExists(db, "email_inbox")) {
    report.rawMail = rowsOf(
      await db.execute(
        sql`delete from email_inbox where received_at < ${before(policy.rawMailDays)} and processed_at is not null returning id`,
      ),
    ).length;
  }
  report.events = rowsOf(
    await db.execute(sql`delete from events where processed_at < ${before(policy.eventDays)} returning id`),
  ).length;
  // The messengers' webhook updates are emptied once handled; the rows that only recognised a repeated delivery follow
  // the outbox's events (a messenger repeats an update for hours, not for a month).
  for (const table of ["vk_events", "max_updates"]) {
    if (await tableExists(db, table)) {
      report.updates += rowsOf(
        await db.execute(
          sql`delete from ${sql.identifier(table)} where handled_at < ${before(policy.eventDays)} returning id`,
        ),
      ).length;
    }
  }
  report.sessions = rowsOf(
    await db.execute(sql`delete from sessions where expires_at < ${now} returning id_hash`),
  ).length;
  // Failed sign-ins under e-mails without an account count for a day, as a lock lasts at most an hour.
  await db.execute(sql`delete from login_failures where updated_at < ${before(1)}`);

  // The audit chain loses its oldest links and records the purge, signed, so that it is told from a deletion.
  report.audit = await purgeAudit(db, before(policy.auditDays));
  return report;
}

/**
 * The applicant record keeps which contacts belong to one person (keyed hashes). A contact known longer than the
 * period goes once nothing kept still bears it — no request (the purge blanks their hashes), no call, no messenger chat —
 * and a portal account once its applicant has no other contact left; an applicant with no contact goes. A contact seen
 * again later is linked anew.
 */
async function purgeApplicantRecord(db: Queryable, cutoff: Date): Promise<number> {
  const calls = await tableExists(db, "phone_calls");
  const chats = await tableExists(db, "messenger_contacts");
  await db.execute(sql`
    delete from applicant_contacts ac
    where ac.created_at < ${cutoff}
      and case ac.kind
        when 'email' then not exists (select 1 from requests r where r.contact_email_hash = ac.hash)
        when 'phone' then not exists (select 1 from requests r where r.contact_phone_hash = ac.hash)
          ${calls ? sql`and not exists (select 1 from phone_calls c where c.from_hash = ac.hash or c.to_hash = ac.hash)` : sql``}
        when 'messenger' then ${chats ? sql`not exists (select 1 from messenger_contacts m where m.chat_hash = ac.hash)` : sql`true`}
        else false
      end`);
  await db.execute(sql`
    delete from applicant_contacts ac
    where ac.kind = 'account' and ac.created_at < ${cutoff}
      and not exists (select 1 from applicant_contacts o where o.applicant_id = ac.applicant_id and o.kind <> 'account')`);
  return rowsOf(
    await db.execute(sql`
      delete from applicants a
      where a.created_at < ${cutoff}
        and not exists (select 1 from applicant_contacts ac where ac.applicant_id = a.id)
      returning a.id`),
  ).length;
}
