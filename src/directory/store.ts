// The directory's SQL: reading the stored document, writing the difference a save makes, the calendar, the flags.
import { isDeepStrictEqual } from "node:util";
import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { users } from "../staff/schema.ts";
import type { CalendarEntry, CalendarYear } from "./calendar.ts";
import { calendarDays, calendarYears, directoryLines, directoryVersions, lineStates } from "./db-schema.ts";
import type { DocumentEntry } from "./document.ts";

export interface StoredEntry extends DocumentEntry {
  updatedAt: Date;
  updatedBy: number | null;
}

export async function readEntries(db: Queryable): Promise<StoredEntry[]> {
  const rows = await db.select().from(directoryLines).orderBy(asc(directoryLines.position));
  return rows.map((r) => ({
    line: r.data,
    section: r.section,
    comment: r.comment,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
  }));
}

/** Serialises writers of the directory (across processes on PostgreSQL) for the rest of the transaction. */
export async function lockDirectory(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-directory'))`);
}

/** Makes the stored lines equal `after`; rows that do not change keep their time and author. Returns changed ids. */
export async function writeEntries(tx: Tx, after: DocumentEntry[], userId: number | null): Promise<string[]> {
  const before = new Map((await readEntries(tx)).map((e, i) => [e.line.id, { ...e, position: i }]));
  const now = new Date();
  if (before.size === 0) {
    // First load: one statement instead of a round trip per line.
    if (after.length)
      await tx.insert(directoryLines).values(
        after.map((e, position) => ({
          id: e.line.id,
          position,
          section: e.section,
          comment: e.comment,
          data: e.line,
          published: e.line.published,
          updatedAt: now,
          updatedBy: userId,
        })),
      );
    return after.map((e) => e.line.id);
  }
  const changed: string[] = [];
  for (const [position, e] of after.entries()) {
    const old = before.get(e.line.id);
    before.delete(e.line.id);
    if (
      old &&
      old.position === position &&
      old.section === e.section &&
      old.comment === e.comment &&
      isDeepStrictEqual(old.line, e.line)
    )
      continue;
    const values = {
      position,
      section: e.section,
      comment: e.comment,
      data: e.line,
      published: e.line.published,
      updatedAt: now,
      updatedBy: userId,
    };
    // A moved line keeps its time and author: only its content or place counts as an edit.
    // jsonb keeps keys in its own order: compare the values, not their text.
    const contentSame = old && isDeepStrictEqual(old.line, e.line) && old.comment === e.comment;
    if (contentSame) Object.assign(values, { updatedAt: old.updatedAt, updatedBy: old.updatedBy });
    else changed.push(e.line.id);
    await tx
      .insert(directoryLines)
      .values({ id: e.line.id, ...values })
      .onConflictDoUpdate({ target: directoryLines.id, set: values });
  }
  const removed = [...before.keys()];
  if (removed.length) {
    await tx.delete(directoryLines).where(inArray(directoryLines.id, removed));
    await tx.delete(lineStates).where(inArray(lineStates.lineId, removed));
  }
  return [...changed, ...removed];
}

export async function countLines(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(directoryLines);
  return Number(row?.n ?? 0);
}

export async function readCalendar(db: Queryable): Promise<CalendarYear[]> {
  const years = await db.select().from(calendarYears).orderBy(asc(calendarYears.year));
  const days = await db.select().from(calendarDays).orderBy(asc(calendarDays.date));
  return years.map((y) => ({
    year: y.year,
    source: y.source,
    ...(y.decree ? { decree: y.decree } : {}),
    days: days
      .filter((d) => d.year === y.year)
      .map((d): CalendarEntry => {
        const entry: CalendarEntry = { date: d.date, type: d.kind as CalendarEntry["type"] };
        if (d.title) entry.title = d.title;
        if (d.movedFrom) entry.from = d.movedFrom;
        return entry;
      }),
  }));
}

export async function writeCalendarYear(tx: Tx, year: CalendarYear, userId: number | null): Promise<void> {
  const values = { source: year.source, decree: year.decree ?? null, updatedAt: new Date(), updatedBy: userId };
  await tx
    .insert(calendarYears)
    .values({ year: year.year, ...values })
    .onConflictDoUpdate({ target: calendarYears.year, set: values });
  await tx.delete(calendarDays).where(eq(calendarDays.year, year.year));
  if (year.days.length)
    await tx.insert(calendarDays).values(
      year.days.map((d) => ({
        year: year.year,
        date: d.date,
        kind: d.type,
        title: d.title ?? null,
        movedFrom: d.from ?? null,
      })),
    );
}

export async function calendarYearNumbers(db: Queryable): Promise<number[]> {
  return (await db.select({ year: calendarYears.year }).from(calendarYears)).map((r) => r.year);
}

/** New years at first start, in two statements. */
export async function insertCalendarYears(tx: Tx, years: CalendarYear[]): Promise<void> {
  if (years.length === 0) return;
  await tx
    .insert(calendarYears)
    .values(years.map((y) => ({ year: y.year, source: y.source, decree: y.decree ?? null, updatedBy: null })));
  const days = years.flatMap((y) =>
    y.days.map((d) => ({
      year: y.year,
      date: d.date,
      kind: d.type,
      title: d.title ?? null,
      movedFrom: d.from ?? null,
    })),
  );
  if (days.length) await tx.insert(calendarDays).values(days);
}

export async function calendarYearMeta(db: Queryable, year: number) {
  const [row] = await db.select().from(calendarYears).where(eq(calendarYears.year, year));
  return row;
}

export async function readOverloaded(db: Queryable) {
  return db.select().from(lineStates).where(eq(lineStates.overloaded, true));
}

export async function writeLineState(tx: Tx, lineId: string, overloaded: boolean, userId: number | null) {
  const values = { overloaded, setBy: userId, setAt: new Date() };
  await tx
    .insert(lineStates)
    .values({ lineId, ...values })
    .onConflictDoUpdate({ target: lineStates.lineId, set: values });
}

export async function addVersion(
  tx: Tx,
  v: { kind: "directory" | "calendar"; subject: string; document: string; userId: number | null },
) {
  await tx
    .insert(directoryVersions)
    .values({ kind: v.kind, subject: v.subject, document: v.document, changedBy: v.userId });
}

export async function listVersions(db: Queryable, limit = 50) {
  return db
    .select({
      id: directoryVersions.id,
      kind: directoryVersions.kind,
      subject: directoryVersions.subject,
      changedBy: users.name,
      changedAt: directoryVersions.changedAt,
    })
    .from(directoryVersions)
    .leftJoin(users, eq(users.id, directoryVersions.changedBy))
    .orderBy(desc(directoryVersions.id))
    .limit(limit);
}

export async function readVersion(db: Queryable, id: number) {
  const [row] = await db.select().from(directoryVersions).where(eq(directoryVersions.id, id));
  return row;
}
