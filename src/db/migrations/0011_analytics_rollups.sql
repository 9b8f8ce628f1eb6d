CREATE TABLE "analytics_daily" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"category" text,
	"audience" text NOT NULL,
	"department_id" integer,
	"created" bigint DEFAULT 0 NOT NULL,
	"resolved" bigint DEFAULT 0 NOT NULL,
	"resolved_on_day" bigint DEFAULT 0 NOT NULL,
	"first_response_done" bigint DEFAULT 0 NOT NULL,
	"first_response_met" bigint DEFAULT 0 NOT NULL,
	"resolution_done" bigint DEFAULT 0 NOT NULL,
	"resolution_met" bigint DEFAULT 0 NOT NULL,
	"rated" bigint DEFAULT 0 NOT NULL,
	"rating_sum" bigint DEFAULT 0 NOT NULL,
	"r1" bigint DEFAULT 0 NOT NULL,
	"r2" bigint DEFAULT 0 NOT NULL,
	"r3" bigint DEFAULT 0 NOT NULL,
	"r4" bigint DEFAULT 0 NOT NULL,
	"r5" bigint DEFAULT 0 NOT NULL,
	"escalated" bigint DEFAULT 0 NOT NULL,
	"first_contact" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_calls" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"user_id" integer,
	"offered" bigint DEFAULT 0 NOT NULL,
	"answered" bigint DEFAULT 0 NOT NULL,
	"abandoned" bigint DEFAULT 0 NOT NULL,
	"answer_seconds" double precision DEFAULT 0 NOT NULL,
	"handled" bigint DEFAULT 0 NOT NULL,
	"handling_seconds" double precision DEFAULT 0 NOT NULL,
	"in_level" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_hours" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"dow" smallint NOT NULL,
	"hour" smallint NOT NULL,
	"channel" text NOT NULL,
	"category" text,
	"audience" text NOT NULL,
	"department_id" integer,
	"n" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_operators" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"assignee_id" integer NOT NULL,
	"department_id" integer,
	"created" bigint DEFAULT 0 NOT NULL,
	"resolved" bigint DEFAULT 0 NOT NULL,
	"rated" bigint DEFAULT 0 NOT NULL,
	"rating_sum" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_regions" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"region" text,
	"department_id" integer,
	"created" bigint DEFAULT 0 NOT NULL,
	"resolved" bigint DEFAULT 0 NOT NULL,
	"resolution_done" bigint DEFAULT 0 NOT NULL,
	"resolution_met" bigint DEFAULT 0 NOT NULL,
	"rated" bigint DEFAULT 0 NOT NULL,
	"rating_sum" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_times" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"cube" smallint NOT NULL,
	"kind" smallint NOT NULL,
	"channel" text,
	"category" text,
	"audience" text,
	"department_id" integer,
	"region" text,
	"assignee_id" integer,
	"minutes" double precision NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_dirty" (
	"day" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"through" date,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analytics_daily_idx" ON "analytics_daily" USING btree ("span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_calls_idx" ON "analytics_daily_calls" USING btree ("span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_hours_idx" ON "analytics_daily_hours" USING btree ("span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_operators_idx" ON "analytics_daily_operators" USING btree ("span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_regions_idx" ON "analytics_daily_regions" USING btree ("span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_times_idx" ON "analytics_daily_times" USING btree ("span","day","cube");--> statement-breakpoint
-- Written by hand: triggers that write into analytics_rollup_dirty, in the same transaction as the change, the Moscow
-- days whose rollups a change touches (a request's day of registration and day of resolution, a call's day). Only
-- days already over count (and, from 23:00, the day about to end): the rollups never hold the current day.
CREATE FUNCTION analytics_cutoff_at() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT (((now() + interval '1 hour') AT TIME ZONE 'Europe/Moscow')::date)::timestamp AT TIME ZONE 'Europe/Moscow'
$$;--> statement-breakpoint
CREATE FUNCTION analytics_requests_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_rollup_dirty (day)
  SELECT DISTINCT (t AT TIME ZONE 'Europe/Moscow')::date FROM (
    SELECT created_at AS t FROM changed_rows UNION ALL SELECT resolved_at FROM changed_rows) x
  WHERE t < analytics_cutoff_at();
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER analytics_requests_inserted AFTER INSERT ON requests REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_requests_written();--> statement-breakpoint
CREATE TRIGGER analytics_requests_deleted AFTER DELETE ON requests REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_requests_written();--> statement-breakpoint
CREATE FUNCTION analytics_request_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_rollup_dirty (day)
  SELECT DISTINCT (t AT TIME ZONE 'Europe/Moscow')::date
  FROM (VALUES (OLD.created_at), (NEW.created_at), (OLD.resolved_at), (NEW.resolved_at)) v(t)
  WHERE t < analytics_cutoff_at();
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER analytics_requests_updated AFTER UPDATE ON requests FOR EACH ROW
  WHEN (least(OLD.created_at, NEW.created_at) < analytics_cutoff_at()
    AND (OLD.channel, OLD.category, OLD.audience, OLD.region, OLD.department_id, OLD.assignee_id, OLD.created_at,
      OLD.first_responded_at, OLD.resolved_at, OLD.first_response_due_at, OLD.resolution_due_at, OLD.rating)
    IS DISTINCT FROM (NEW.channel, NEW.category, NEW.audience, NEW.region, NEW.department_id, NEW.assignee_id,
      NEW.created_at, NEW.first_responded_at, NEW.resolved_at, NEW.first_response_due_at, NEW.resolution_due_at,
      NEW.rating))
  EXECUTE FUNCTION analytics_request_changed();--> statement-breakpoint
CREATE FUNCTION analytics_history_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_rollup_dirty (day)
  SELECT DISTINCT (r.created_at AT TIME ZONE 'Europe/Moscow')::date
  FROM changed_rows h JOIN requests r ON r.id = h.request_id
  WHERE h.action IN ('escalated', 'applicant_replied') AND r.created_at < analytics_cutoff_at();
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER analytics_history_inserted AFTER INSERT ON request_history REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_history_written();--> statement-breakpoint
CREATE TRIGGER analytics_history_deleted AFTER DELETE ON request_history REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_history_written();--> statement-breakpoint
CREATE FUNCTION analytics_calls_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_rollup_dirty (day)
  SELECT DISTINCT (started_at AT TIME ZONE 'Europe/Moscow')::date FROM changed_rows
  WHERE started_at < analytics_cutoff_at();
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER analytics_calls_inserted AFTER INSERT ON phone_calls REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_calls_written();--> statement-breakpoint
CREATE TRIGGER analytics_calls_deleted AFTER DELETE ON phone_calls REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_calls_written();--> statement-breakpoint
CREATE FUNCTION analytics_call_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_rollup_dirty (day)
  SELECT DISTINCT (t AT TIME ZONE 'Europe/Moscow')::date FROM (VALUES (OLD.started_at), (NEW.started_at)) v(t)
  WHERE t < analytics_cutoff_at();
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER analytics_calls_updated AFTER UPDATE ON phone_calls FOR EACH ROW
  WHEN (least(OLD.started_at, NEW.started_at) < analytics_cutoff_at()
    AND (OLD.direction, OLD.state, OLD.user_id, OLD.started_at, OLD.answered_at, OLD.ended_at)
    IS DISTINCT FROM (NEW.direction, NEW.state, NEW.user_id, NEW.started_at, NEW.answered_at, NEW.ended_at))
  EXECUTE FUNCTION analytics_call_changed();--> statement-breakpoint
-- Registration days are read from the requests still unanswered or unresolved: their SLA counts change with time.
CREATE INDEX IF NOT EXISTS "analytics_requests_unanswered_idx" ON "requests" USING btree ("created_at") WHERE "first_responded_at" IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "analytics_requests_unresolved_idx" ON "requests" USING btree ("created_at") WHERE "resolved_at" IS NULL;
