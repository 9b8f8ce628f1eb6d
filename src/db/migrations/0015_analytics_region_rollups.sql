CREATE TABLE "analytics_daily_region_hours" (
	"span" smallint NOT NULL,
	"day" date NOT NULL,
	"dow" smallint NOT NULL,
	"hour" smallint NOT NULL,
	"region" text,
	"channel" text NOT NULL,
	"department_id" integer,
	"n" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "analytics_daily_regions" ADD COLUMN "channel" text;--> statement-breakpoint
CREATE INDEX "analytics_daily_region_hours_idx" ON "analytics_daily_region_hours" USING btree ("region","span","day");--> statement-breakpoint
CREATE INDEX "analytics_daily_times_region_idx" ON "analytics_daily_times" USING btree ("cube","region","span","day");--> statement-breakpoint
-- Written by hand: the rollups gained keys, so every day is built again (at start, or before the first period board).
DELETE FROM "analytics_rollup_state";
