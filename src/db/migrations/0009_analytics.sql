CREATE TABLE "analytics_summary_runs" (
	"day" date PRIMARY KEY NOT NULL,
	"recipients" integer NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
-- Written by hand: indexes on other rooms' tables that only the statistics read. Escalation and first-contact
-- resolution look up a request's history by action; the daily series counts requests by the day they were resolved.
CREATE INDEX IF NOT EXISTS "analytics_history_action_idx" ON "request_history" USING btree ("action","request_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "analytics_requests_resolved_idx" ON "requests" USING btree ("resolved_at") WHERE "resolved_at" IS NOT NULL;
