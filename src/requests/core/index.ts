// The request core: the one owner of requests, their messages and their history. Every channel and every rule goes
// through these commands; nothing else writes those tables (test/request-core.boundary.test.ts). A request's life, in
// the order it happens:
//
//   register      a web form, a letter, a chat's first line, a call → one request, its first message, its history
//   appendMessage the applicant's words, an employee's answer or note, a notice of the service, from any channel
//   transition    the status machine (status.ts) with the SLA clock's pauses
//   assign        to an employee, or to whoever the rules pick in the department
//   escalate      to a department (and back to the first line), with the reason
//   update        an employee's corrections: category, audience, priority, region, assignee
//   link          an incident's notice on the requests it concerns (and its end, which may resolve them)
//   rate          the applicant's rating, once, changed only on purpose
//   log           a fact on the request (a call, a letter that failed) that changes nothing else
//   watch         an employee who escalated the request or wrote a note in it follows it from then on
//   issueTrackingLink  a fresh tracking link the applicant asked for, beside the first one
//   merge         a duplicate into the request it repeats; split  an applicant's message off into a new request;
//   relate        two requests linked as related, both ways (and unrelate)
//
// Each command takes the caller's transaction, locks the request's row, writes the change and one history row, and
// records the outbox event `request.<action>` that announces it after commit. The rules it applies but does not own
// come through `RequestRules` (routing plugs them in); what the applicant should hear goes to the channels'
// adapters as deliveries (ports.ts), from the outbox.
import type { Db, Tx } from "../../db/client.ts";
import type { JobHandler } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import type { Status } from "../status.ts";
import {
  assign,
  departmentByCode,
  fillPhone,
  log,
  moveTo,
  type RequestPatch,
  recheckDue,
  setRecheck,
  slaStep,
  transition,
  update,
} from "./changes.ts";
import { deliveryJobs } from "./deliveries.ts";
import { issueTrackingLink } from "./links.ts";
import { type Merged, merge, recordSplit, relate, splittable, unrelate } from "./merge.ts";
import { type Appended, appendMessage, type NewMessage } from "./messages.ts";
import { BARE_RULES, type ChannelAdapter, type RequestRow, type RequestRules } from "./ports.ts";
import { purgePersonalData } from "./purge.ts";
import { rate } from "./rating.ts";
import { type Channel, Intake, type NewRequest, type Registered } from "./register.ts";
import { type Actor, lockRequest } from "./row.ts";
import { unwatch, type WatchReason, watch } from "./watchers.ts";

export type { RequestPatch } from "./changes.ts";
export type { Merged } from "./merge.ts";
export { refuseMergeTarget } from "./merge.ts";
export type { Author, NewMessage } from "./messages.ts";
export { TEXT_MAX } from "./messages.ts";
export type {
  ChannelAdapter,
  Classification,
  Delivery,
  DeliveryTarget,
  Due,
  DueKey,
  NewlyRegistered,
  RequestRow,
  RequestRules,
} from "./ports.ts";
export { idListSql, PURGED_TEXT } from "./purge.ts";
export { CHANNELS, type Channel, isUniqueViolation, type NewRequest, type Registered } from "./register.ts";
export { type Actor, APPLICANT, SYSTEM, staffActor } from "./row.ts";
export type { WatchReason } from "./watchers.ts";

export type CoreDeps = { db: Db; engine: "pglite" | "postgres" };

export class RequestCore {
  private rules: RequestRules = BARE_RULES;
  private readonly adapters: ChannelAdapter[] = [];
  private readonly intake: Intake;

  constructor(private readonly deps: CoreDeps) {
    this.intake = new Intake({ ...deps, rules: () => this.rules });
  }

  /** Routing's rules; until then, the bare ones (command-line tools). Plugged in once, at start. */
  plugRules(rules: RequestRules) {
    this.rules = rules;
  }

  /** The rules in use (benchmarks measure the same classification and due times as the service). */
  rulesInUse(): RequestRules {
    return this.rules;
  }

  /** A channel that delivers the core's news to applicants it reaches. */
  addChannel(adapter: ChannelAdapter) {
    if (this.adapters.some((a) => a.channel === adapter.channel)) {
      throw new Error(`channel «${adapter.channel}» registered twice`);
    }
    this.adapters.push(adapter);
  }

  /** Outbox jobs that hand the core's events to the channels (the requests room registers them). */
  jobs(): Record<string, JobHandler> {
    return deliveryJobs(this.deps.db, () => this.adapters);
  }

  register(input: NewRequest, now?: Date): Promise<Registered> {
    return this.intake.register(input, now);
  }

  async appendMessage(tx: Tx, requestId: number, m: NewMessage): Promise<Appended> {
    const appended = await appendMessage(this.rules, tx, requestId, m);
    // Whoever writes a note in a request follows it from then on.
    if (m.author.type === "staff" && m.visibility === "note") await watch(tx, appended.row, m.author.user.id, "noted");
    return appended;
  }

  transition(
    tx: Tx,
    requestId: number,
    to: Status,
    actor: Actor,
    opts?: { reason?: string | undefined; channel?: string; ifNeeded?: boolean; now?: Date },
  ): Promise<RequestRow> {
    return transition(this.rules, tx, requestId, to, actor, opts);
  }

  assign(
    tx: Tx,
    requestId: number,
    to: number | null | "auto",
    actor: Actor,
    opts?: { takeIntoWork?: boolean; channel?: string; now?: Date },
  ): Promise<RequestRow> {
    return assign(this.rules, tx, requestId, to, actor, opts);
  }

  /** To the department with this code, with the reason; `returned` brings it back in work (to the first line). */
  async escalate(
    tx: Tx,
    requestId: number,
    departmentCode: string,
    actor: Actor,
    opts: {
      reason?: string | undefined;
      returned?: boolean;
      changes?: Record<string, unknown>;
      now?: Date;
    } = {},
  ): Promise<RequestRow> {
    const dept = await departmentByCode(tx, departmentCode);
    if (!dept) throw errors.validation(`Неизвестное подразделение «${departmentCode}».`, { field: "department" });
    const act = opts.returned
      ? { action: "returned" as const, status: "in_progress" as const }
      : { action: "escalated" as const, status: "escalated" as const };
    const row = await moveTo(
      this.rules,
      tx,
      requestId,
      dept,
      actor,
      { ...act, reason: opts.reason, changes: opts.changes },
      opts,
    );
    // The employee who passed it on keeps it in sight (and hears what becomes of it).
    if (!opts.returned && actor.type === "staff") await watch(tx, row, actor.user.id, "escalated");
    return row;
  }

  /** An employee follows a request (or stops following it). */
  watch(tx: Tx, row: Pick<RequestRow, "id" | "number">, userId: number, reason: WatchReason): Promise<void> {
    return watch(tx, row, userId, reason);
  }

  unwatch(tx: Tx, requestId: number, userId: number): Promise<void> {
    return unwatch(tx, requestId, userId);
  }

  update(tx: Tx, requestId: number, patch: RequestPatch, actor: Actor): Promise<RequestRow> {
    return update(this.rules, tx, requestId, patch, actor);
  }

  /**
   * An incident's notice on a request it concerns: a public message of the service with its history row (`action`:
   * incident_linked, incident_updated, incident_resolved). `resolve` resolves the request with it.
   */
  link(
    tx: Tx,
    requestId: number,
    notice: { incidentId: number; body: string; action: string; resolve?: boolean; changes?: Record<string, unknown> },
    now?: Date,
  ): Promise<Appended> {
    return appendMessage(this.rules, tx, requestId, {
      author: { type: "service" },
      visibility: "public",
      body: notice.body,
      status: notice.resolve ? "resolved" : undefined,
      record: { action: notice.action, changes: { incidentId: notice.incidentId, ...notice.changes } },
      now,
    });
  }

  rate(tx: Tx, requestId: number, score: number, comment?: string, opts?: { replace?: boolean }): Promise<RequestRow> {
    return rate(tx, requestId, score, comment, opts);
  }

  log(tx: Tx, requestId: number, actor: Actor, action: string, changes: Record<string, unknown>): Promise<void> {
    return log(tx, requestId, actor, action, changes);
  }

  setRecheck(tx: Tx, requestId: number, at: Date | null, onDate: string | null, actor: Actor) {
    return setRecheck(tx, requestId, at, onDate, actor);
  }

  recheckDue(tx: Tx, requestId: number, now: Date, notify: (row: RequestRow, userId: number) => Promise<number[]>) {
    return recheckDue(this.rules, tx, requestId, now, notify);
  }

  slaStep(tx: Tx, requestId: number, patch: Parameters<typeof slaStep>[2], now: Date) {
    return slaStep(tx, requestId, patch, now);
  }

  /** A fresh tracking link beside the first one, once per `source`; false when that source issued it already. */
  issueTrackingLink(tx: Tx, requestId: number, token: string, source: string, via: "email" | "phone", actor: Actor) {
    return issueTrackingLink(tx, requestId, token, source, via, actor);
  }

  /** Merges a duplicate into the request it repeats (merge.ts): messages and files move, the duplicate closes. */
  merge(tx: Tx, sourceId: number, targetId: number, actor: Actor, now?: Date): Promise<Merged> {
    return merge(this.rules, tx, sourceId, targetId, actor, now);
  }

  /**
   * The applicant's message `messageId` of request `sourceId` becomes the first line of a new request of the same
   * applicant, by the same channel and with the same contacts; a history row on each names the other. The applicant
   * is told the new number as at any registration.
   */
  async split(sourceId: number, messageId: number, actor: Actor): Promise<Registered> {
    const { source, message } = await this.deps.db.transaction(async (tx) => ({
      source: await lockRequest(tx, sourceId),
      message: await splittable(tx, sourceId, messageId),
    }));
    if (source.mergedIntoId !== null) throw errors.conflict("request_merged", "Обращение объединено с другим.");
    return this.register({
      text: message.body,
      channel: source.channel as Channel,
      audience: source.audience,
      region: source.region ?? undefined,
      contact: {
        name: source.contactName ?? undefined,
        email: source.contactEmail ?? undefined,
        phone: source.contactPhone ?? undefined,
      },
      inTransaction: async (tx, created) => {
        await splittable(tx, sourceId, messageId);
        await recordSplit(tx, sourceId, created, messageId, actor);
      },
    });
  }

  /** Links two requests as related, both ways; false when they were linked already. */
  relate(tx: Tx, aId: number, bId: number, actor: Actor): Promise<boolean> {
    return relate(tx, aId, bId, actor);
  }

  unrelate(tx: Tx, aId: number, bId: number, actor: Actor): Promise<boolean> {
    return unrelate(tx, aId, bId, actor);
  }

  fillPhone(tx: Tx, requestId: number, phone: string) {
    return fillPhone(tx, requestId, phone);
  }

  purgePersonalData(tx: Tx, cutoff: Date) {
    return purgePersonalData(tx, cutoff);
  }
}
