CREATE TABLE "queue_views" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_views_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"owner_id" integer NOT NULL,
	"department_id" integer,
	"filters" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "queue_views" ADD CONSTRAINT "queue_views_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_views" ADD CONSTRAINT "queue_views_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "queue_views_owner_idx" ON "queue_views" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "queue_views_department_idx" ON "queue_views" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "requests_queue_due_idx" ON "requests" USING btree ((coalesce(case when status in ('resolved', 'closed', 'waiting') then null when first_responded_at is null then least(first_response_due_at, resolution_due_at) else resolution_due_at end, 'infinity'::timestamptz)),"id");--> statement-breakpoint
CREATE INDEX "requests_queue_assignee_due_idx" ON "requests" USING btree ("assignee_id",(coalesce(case when status in ('resolved', 'closed', 'waiting') then null when first_responded_at is null then least(first_response_due_at, resolution_due_at) else resolution_due_at end, 'infinity'::timestamptz)),"id");--> statement-breakpoint
CREATE INDEX "requests_queue_status_due_idx" ON "requests" USING btree ("status",(coalesce(case when status in ('resolved', 'closed', 'waiting') then null when first_responded_at is null then least(first_response_due_at, resolution_due_at) else resolution_due_at end, 'infinity'::timestamptz)),"id");--> statement-breakpoint
CREATE INDEX "requests_queue_scope_idx" ON "requests" USING btree ("status","department_id","assignee_id","category","first_responded_at","first_response_due_at","resolution_due_at","id");--> statement-breakpoint
CREATE INDEX "requests_queue_triage_due_idx" ON "requests" USING btree ((coalesce(case when status in ('resolved', 'closed', 'waiting') then null when first_responded_at is null then least(first_response_due_at, resolution_due_at) else resolution_due_at end, 'infinity'::timestamptz)),"id") WHERE category is null;