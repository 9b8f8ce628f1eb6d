// The daily summary by e-mail: each morning (Moscow time) the day before, in figures, to the addresses an
// administrator set. Every process runs the clock; the row in analytics_summary_runs decides who queues the
// day, and the outbox job sends it once (a repeat carries the same Message-ID, so it is recognisable).
import { eq, isNull, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { mailDomainOf, maybeEmailState } from "../channels/email/state.ts";
import type { AppContext } from "../context.ts";
import type { Queryable } from "../db/client.ts";
import { type EventMessage, emit } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";
import { errors } from "../http/errors.ts";
import { analyticsSummaryRuns } from "./db-schema.ts";
import { ZONE } from "./filters.ts";
import { backlog, escalationAndFcr, summary } from "./measures.ts";

export const SUMMARY_TOPIC = "analytics.summary";
const RECIPIENTS_KEY = "analytics.summary.recipients";
const HOUR_KEY = "analytics.summary.hour";

export type SummarySettings = { recipients: string[]; hour: number };

export async function summarySettings(db: Queryable): Promise<SummarySettings> {
  const rows = await db.select().from(settings).where(sql`${settings.key} in (${RECIPIENTS_KEY}, ${HOUR_KEY})`);
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  return { recipients: JSON.parse(get(RECIPIENTS_KEY) ?? "[]") as string[], hour: Number(get(HOUR_KEY) ?? 7) };
}

export async function saveSummarySettings(db: Queryable, s: SummarySettings) {
  const recipients = [...new Set(s.recipients.map((r) => r.trim()).filter(Boolean))];
  for (const r of recipients) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r)) {
      throw errors.badInput("invalid_email", `«${r}» не похоже на адрес электронной почты.`, { field: "recipients" });
    }
  }
  for (const [key, value] of [
    [RECIPIENTS_KEY, JSON.stringify(recipients)],
    [HOUR_KEY, String(s.hour)],
  ] as const) {
    await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
  }
  return { recipients, hour: s.hour };
}

/** Queues yesterday's summary once, if it is past the hour and someone is to receive it. Returns the day queued. */
export async function queueDueSummary(ctx: AppContext, now = new Date()): Promise<string | null> {
  const s = await summarySettings(ctx.db);
  const local = DateTime.fromJSDate(now, { zone: ZONE });
  if (s.recipients.length === 0 || local.hour < s.hour) return null;
  return queueSummary(ctx, local.minus({ days: 1 }).toISODate()!, s.recipients.length);
}

export async function queueSummary(ctx: AppContext, day: string, recipients: number): Promise<string | null> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(analyticsSummaryRuns)
      .values({ day, recipients })
      .onConflictDoNothing()
      .returning({ day: analyticsSummaryRuns.day });
    if (!row) return null;
    await emit(tx, SUMMARY_TOPIC, { day });
    return day;
  });
}

/** The letter's text: figures only, no applicant's words or contacts. */
export async function summaryText(db: Queryable, day: string) {
  const from = DateTime.fromISO(day, { zone: ZONE });
  const f = { from: from.toJSDate(), to: from.plus({ days: 1 }).toJSDate() };
  const [s, e, b] = await Promise.all([summary(db, f), escalationAndFcr(db, f), backlog(db, f)]);
  const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10} %`);
  const min = (v: number | null) => (v === null ? "—" : `${v} мин`);
  const lines = [
    `Сводка службы поддержки за ${from.setLocale("ru").toFormat("d MMMM yyyy")}`,
    "",
    `Поступило обращений: ${s.created}`,
    `Решено из них: ${s.resolved}`,
    `Первый ответ: медиана ${min(s.firstResponse.median)}, 90 % — ${min(s.firstResponse.p90)}`,
    `Решение: медиана ${min(s.resolution.median)}, 90 % — ${min(s.resolution.p90)}`,
    `Первый ответ в срок: ${pct(s.sla.firstResponse)}; решение в срок: ${pct(s.sla.resolution)}`,
    `Решено при первом обращении: ${pct(e.firstContactResolution)}; передано в подразделения: ${pct(e.escalationRate)}`,
    `Оценок: ${s.rating.count}, средняя ${s.rating.average ?? "—"}`,
    `Открыто сейчас: ${b.open}, из них просрочено: ${b.overdue}`,
  ];
  return { subject: `Otklik: сводка за ${day}`, text: `${lines.join("\n")}\n` };
}

/** The outbox job: sends the day's summary through the e-mail room's mailer. */
export function summaryJob(ctx: AppContext) {
  return async (event: EventMessage, db: Queryable) => {
    const day = String(event.data.day);
    const [run] = await db.select().from(analyticsSummaryRuns).where(eq(analyticsSummaryRuns.day, day));
    if (!run || run.sentAt) return;
    const { recipients } = await summarySettings(db);
    const mail = maybeEmailState(ctx);
    if (recipients.length > 0) {
      // Without the e-mail room there is nobody to send it: the job fails and the outbox retries later.
      if (!mail) throw new Error("outbound mail is not running");
      const { subject, text } = await summaryText(db, day);
      await mail.mailer.send({
        to: recipients,
        subject,
        text,
        messageId: `<summary-${day}@${mailDomainOf(ctx)}>`,
        auto: true,
      });
    }
    await db
      .update(analyticsSummaryRuns)
      .set({ sentAt: new Date() })
      .where(sql`${analyticsSummaryRuns.day} = ${day} and ${isNull(analyticsSummaryRuns.sentAt)}`);
  };
}
