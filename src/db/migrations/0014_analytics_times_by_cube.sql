DROP INDEX "analytics_daily_times_idx";--> statement-breakpoint
CREATE INDEX "analytics_daily_times_cube_idx" ON "analytics_daily_times" USING btree ("cube","span","day");