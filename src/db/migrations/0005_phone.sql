CREATE TABLE "phone_call_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "phone_call_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"external_id" text NOT NULL,
	"event" text NOT NULL,
	"applied" boolean NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_calls" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "phone_calls_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"external_id" text NOT NULL,
	"direction" text DEFAULT 'in' NOT NULL,
	"from_number" text,
	"to_number" text,
	"line_id" text,
	"queue" text,
	"state" text DEFAULT 'ringing' NOT NULL,
	"user_id" integer,
	"answering_number" text,
	"cause" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"request_id" bigint,
	"continued" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_line_settings" (
	"line_id" text PRIMARY KEY NOT NULL,
	"queue" text,
	"max_waiting" integer,
	"max_wait_seconds" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_verifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "phone_verifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"call_id" bigint,
	"request_id" bigint,
	"user_id" integer NOT NULL,
	"audience" text NOT NULL,
	"topic" text NOT NULL,
	"items" jsonb NOT NULL,
	"passed" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"full_name" text NOT NULL,
	"phone" text,
	"snils" text,
	"inn" text,
	"locked" boolean DEFAULT false NOT NULL,
	"code_sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_applications" (
	"number" text PRIMARY KEY NOT NULL,
	"account_id" text,
	"service" text NOT NULL,
	"status" text NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "portal_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" integer,
	"action" text NOT NULL,
	"connector" text NOT NULL,
	"request_id" bigint,
	"call_id" bigint,
	"target" text,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "phone_calls" ADD CONSTRAINT "phone_calls_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_calls" ADD CONSTRAINT "phone_calls_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD CONSTRAINT "phone_verifications_call_id_phone_calls_id_fk" FOREIGN KEY ("call_id") REFERENCES "phone_calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD CONSTRAINT "phone_verifications_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD CONSTRAINT "phone_verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_applications" ADD CONSTRAINT "portal_applications_account_id_portal_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "portal_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_audit" ADD CONSTRAINT "portal_audit_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_audit" ADD CONSTRAINT "portal_audit_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "phone_call_events_key" ON "phone_call_events" USING btree ("external_id","event");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_calls_external_key" ON "phone_calls" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "phone_calls_from_idx" ON "phone_calls" USING btree ("from_number","started_at");--> statement-breakpoint
CREATE INDEX "phone_calls_started_idx" ON "phone_calls" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "phone_calls_waiting_idx" ON "phone_calls" USING btree ("queue") WHERE state = 'ringing';--> statement-breakpoint
CREATE INDEX "phone_calls_request_idx" ON "phone_calls" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "phone_verifications_call_idx" ON "phone_verifications" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "phone_verifications_request_idx" ON "phone_verifications" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "portal_accounts_phone_idx" ON "portal_accounts" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "portal_accounts_snils_idx" ON "portal_accounts" USING btree ("snils");--> statement-breakpoint
CREATE INDEX "portal_audit_created_idx" ON "portal_audit" USING btree ("created_at");