-- Written by hand: the statistics triggers' functions find their tables in the schema they were made in, whatever
-- the search path of the session that changes a request (an administrator's psql, another schema's tool).
ALTER FUNCTION analytics_cutoff_at() SET search_path FROM CURRENT;--> statement-breakpoint
ALTER FUNCTION analytics_requests_written() SET search_path FROM CURRENT;--> statement-breakpoint
ALTER FUNCTION analytics_request_changed() SET search_path FROM CURRENT;--> statement-breakpoint
ALTER FUNCTION analytics_history_written() SET search_path FROM CURRENT;--> statement-breakpoint
ALTER FUNCTION analytics_calls_written() SET search_path FROM CURRENT;--> statement-breakpoint
ALTER FUNCTION analytics_call_changed() SET search_path FROM CURRENT;
