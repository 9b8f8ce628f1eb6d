// The statistics room's own table: one row per daily summary sent, so that a summary goes out once a day even
// when several processes run the scheduler. The indexes the dashboards lean on are in the analytics migration.
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

export const analyticsSummaryRuns = pgTable("analytics_summary_runs", {
  /** The day summarised (Moscow date). */
  day: date("day", { mode: "string" }).primaryKey(),
  recipients: integer("recipients").notNull(),
  queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp("sent_at", { withTimezone: true }),
});

// The rollups the period dashboards read instead of the requests (docs/METRICS.md, «Rollups»). Each row is either
// one Moscow day (span 1) or one whole month (span 2, `day` its first day, summed from the day rows). Rows are
// rebuilt from the raw tables: a day is rebuilt when something in it changed (triggers in the migration write the
// day into analytics_rollup_dirty in the same transaction as the change) and once after it ends.
const slice = {
  span: smallint("span").notNull(),
  day: date("day", { mode: "string" }).notNull(),
};
const dims = {
  channel: text("channel").notNull(),
  category: text("category"),
  audience: text("audience").notNull(),
  departmentId: integer("department_id"),
};
const n = (name: string) => bigint(name, { mode: "number" }).notNull().default(0);
const total = (name: string) => doublePrecision(name).notNull().default(0);

/** Requests registered that day by channel × category × audience × department (and resolved that day). */
export const analyticsDaily = pgTable(
  "analytics_daily",
  {
    ...slice,
    ...dims,
    created: n("created"),
    resolved: n("resolved"),
    /** Requests of the day resolved on this day (by the day of resolution, not of registration). */
    resolvedOnDay: n("resolved_on_day"),
    firstResponseDone: n("first_response_done"),
    firstResponseMet: n("first_response_met"),
    resolutionDone: n("resolution_done"),
    resolutionMet: n("resolution_met"),
    rated: n("rated"),
    ratingSum: n("rating_sum"),
    r1: n("r1"),
    r2: n("r2"),
    r3: n("r3"),
    r4: n("r4"),
    r5: n("r5"),
    escalated: n("escalated"),
    firstContact: n("first_contact"),
  },
  (t) => [index("analytics_daily_idx").on(t.span, t.day)],
);

/** The same as analytics_daily, keyed by region too: read only for a region's view (through the region index). */
export const analyticsDailyByRegion = pgTable(
  "analytics_daily_by_region",
  {
    ...slice,
    ...dims,
    region: text("region"),
    created: n("created"),
    resolved: n("resolved"),
    /** Requests of the day resolved on this day (by the day of resolution, not of registration). */
    resolvedOnDay: n("resolved_on_day"),
    firstResponseDone: n("first_response_done"),
    firstResponseMet: n("first_response_met"),
    resolutionDone: n("resolution_done"),
    resolutionMet: n("resolution_met"),
    rated: n("rated"),
    ratingSum: n("rating_sum"),
    r1: n("r1"),
    r2: n("r2"),
    r3: n("r3"),
    r4: n("r4"),
    r5: n("r5"),
    escalated: n("escalated"),
    firstContact: n("first_contact"),
  },
  (t) => [index("analytics_daily_by_region_idx").on(t.region, t.span, t.day)],
);

/**
 * Histograms of first-response (kind 1) and resolution (kind 2) minutes, each time rounded to two significant
 * digits, in cubes keyed by different slices (see CUBES in rollup.ts): month rows only (span 2), summed from
 * analytics_facts; the days of a period are read from the facts.
 */
export const analyticsDailyTimes = pgTable(
  "analytics_daily_times",
  {
    ...slice,
    cube: smallint("cube").notNull(),
    kind: smallint("kind").notNull(),
    channel: text("channel"),
    category: text("category"),
    audience: text("audience"),
    departmentId: integer("department_id"),
    region: text("region"),
    assigneeId: integer("assignee_id"),
    minutes: doublePrecision("minutes").notNull(),
    n: n("n"),
  },
  (t) => [
    index("analytics_daily_times_cube_idx").on(t.cube, t.span, t.day),
    index("analytics_daily_times_region_idx").on(t.cube, t.region, t.span, t.day),
  ],
);

/**
 * One narrow row per request registered on a past day (span always 1, no month rows): every slice a filter can name
 * and what each measure needs of the request, times already rounded to the histograms' buckets. It answers whatever
 * no rollup above is keyed by (one employee, a region with a category, …): a period's rows are read and grouped by
 * the filters and the chart's keys in one statement, about a tenth of the bytes the requests themselves take.
 */
export const analyticsFacts = pgTable(
  "analytics_facts",
  {
    ...slice,
    dow: smallint("dow").notNull(),
    hour: smallint("hour").notNull(),
    ...dims,
    region: text("region"),
    assigneeId: integer("assignee_id"),
    /** The Moscow day the request was resolved, if it was. */
    resolvedDay: date("resolved_day", { mode: "string" }),
    /** Minutes to the first answer and to resolution, rounded to two significant digits (null while not done). */
    firstMinutes: doublePrecision("first_minutes"),
    resolveMinutes: doublePrecision("resolve_minutes"),
    firstResponseDone: boolean("first_response_done").notNull(),
    firstResponseMet: boolean("first_response_met").notNull(),
    resolutionDone: boolean("resolution_done").notNull(),
    resolutionMet: boolean("resolution_met").notNull(),
    rating: smallint("rating"),
    escalated: boolean("escalated").notNull(),
    firstContact: boolean("first_contact").notNull(),
  },
  // By day: a period's rows are read in the order they were written. By employee too, for one employee's board
  // (a region is a large share of the rows: its reads scan the period).
  (t) => [index("analytics_facts_day_idx").on(t.day), index("analytics_facts_assignee_idx").on(t.assigneeId, t.day)],
);

/** Requests registered by weekday × hour (Moscow) and the slices of analytics_daily. */
export const analyticsDailyHours = pgTable(
  "analytics_daily_hours",
  {
    ...slice,
    dow: smallint("dow").notNull(),
    hour: smallint("hour").notNull(),
    ...dims,
    n: n("n"),
  },
  (t) => [index("analytics_daily_hours_idx").on(t.span, t.day)],
);

/** Requests registered by weekday × hour (Moscow), region, channel and department: for a region's view. */
export const analyticsDailyRegionHours = pgTable(
  "analytics_daily_region_hours",
  {
    ...slice,
    dow: smallint("dow").notNull(),
    hour: smallint("hour").notNull(),
    region: text("region"),
    channel: text("channel").notNull(),
    departmentId: integer("department_id"),
    n: n("n"),
  },
  (t) => [index("analytics_daily_region_hours_idx").on(t.region, t.span, t.day)],
);

/** Requests registered by region, channel and department. */
export const analyticsDailyRegions = pgTable(
  "analytics_daily_regions",
  {
    ...slice,
    region: text("region"),
    channel: text("channel"),
    departmentId: integer("department_id"),
    created: n("created"),
    resolved: n("resolved"),
    resolutionDone: n("resolution_done"),
    resolutionMet: n("resolution_met"),
    rated: n("rated"),
    ratingSum: n("rating_sum"),
  },
  (t) => [index("analytics_daily_regions_idx").on(t.span, t.day)],
);

/** Requests registered by the employee they are assigned to. */
export const analyticsDailyOperators = pgTable(
  "analytics_daily_operators",
  {
    ...slice,
    assigneeId: integer("assignee_id").notNull(),
    departmentId: integer("department_id"),
    created: n("created"),
    resolved: n("resolved"),
    rated: n("rated"),
    ratingSum: n("rating_sum"),
  },
  (t) => [index("analytics_daily_operators_idx").on(t.span, t.day)],
);

/** Incoming calls by the day they started and the employee who took them (seconds). */
export const analyticsDailyCalls = pgTable(
  "analytics_daily_calls",
  {
    ...slice,
    userId: integer("user_id"),
    offered: n("offered"),
    answered: n("answered"),
    abandoned: n("abandoned"),
    answerSeconds: total("answer_seconds"),
    handled: n("handled"),
    handlingSeconds: total("handling_seconds"),
    inLevel: n("in_level"),
  },
  (t) => [index("analytics_daily_calls_idx").on(t.span, t.day)],
);

/** Days whose rollups must be rebuilt: written by triggers, emptied by the rebuild. */
export const analyticsRollupDirty = pgTable("analytics_rollup_dirty", {
  day: date("day", { mode: "string" }).notNull(),
});

/** How far the rollups are built: every Moscow day up to and including `through` (one row). */
export const analyticsRollupState = pgTable("analytics_rollup_state", {
  id: smallint("id").primaryKey(),
  through: date("through", { mode: "string" }),
  builtAt: timestamp("built_at", { withTimezone: true }).notNull().defaultNow(),
});
