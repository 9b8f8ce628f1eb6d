CREATE TABLE "analytics_facts" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"dow" smallint NOT NULL,
	"hour" smallint NOT NULL,
	"channel" text NOT NULL,
	"category" text,
	"audience" text NOT NULL,
	"department_id" integer,
	"region" text,
	"assignee_id" integer,
	"resolved_day" date,
	"first_minutes" double precision,
	"resolve_minutes" double precision,
	"first_response_done" boolean NOT NULL,
	"first_response_met" boolean NOT NULL,
	"resolution_done" boolean NOT NULL,
	"resolution_met" boolean NOT NULL,
	"rating" smallint,
	"escalated" boolean NOT NULL,
	"first_contact" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analytics_facts_day_idx" ON "analytics_facts" USING btree ("day");--> statement-breakpoint
CREATE INDEX "analytics_facts_assignee_idx" ON "analytics_facts" USING btree ("assignee_id","day");--> statement-breakpoint
-- The time histograms keep month rows only, summed from analytics_facts; both are built from the first day on by
-- the next rebuild.
DELETE FROM "analytics_daily_times";--> statement-breakpoint
DELETE FROM "analytics_rollup_state";
