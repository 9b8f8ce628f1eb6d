CREATE TABLE "sms_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sms_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source" text NOT NULL,
	"kind" text NOT NULL,
	"request_id" bigint,
	"to" text NOT NULL,
	"text" text,
	"segments" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"last_error_code" text,
	"provider_id" text
);
--> statement-breakpoint
CREATE TABLE "notification_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notification_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"medium" text NOT NULL,
	"source" text NOT NULL,
	"contact_hash" text NOT NULL,
	"request_id" bigint,
	"kind" text NOT NULL,
	"essential" boolean NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_opt_outs" (
	"medium" text NOT NULL,
	"contact_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_opt_outs_medium_contact_hash_pk" PRIMARY KEY("medium","contact_hash")
);
--> statement-breakpoint
CREATE TABLE "notification_short_links" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "tracking_sealed" text;--> statement-breakpoint
ALTER TABLE "sms_outbox" ADD CONSTRAINT "sms_outbox_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_log" ADD CONSTRAINT "notification_log_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_short_links" ADD CONSTRAINT "notification_short_links_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sms_outbox_source_idx" ON "sms_outbox" USING btree ("source");--> statement-breakpoint
CREATE INDEX "sms_outbox_request_idx" ON "sms_outbox" USING btree ("request_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_log_source_idx" ON "notification_log" USING btree ("medium","source");--> statement-breakpoint
CREATE INDEX "notification_log_contact_idx" ON "notification_log" USING btree ("contact_hash","created_at");--> statement-breakpoint
CREATE INDEX "notification_log_request_idx" ON "notification_log" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "notification_short_links_request_idx" ON "notification_short_links" USING btree ("request_id");