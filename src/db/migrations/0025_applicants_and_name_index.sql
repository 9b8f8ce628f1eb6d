CREATE TABLE "applicant_contacts" (
	"kind" text NOT NULL,
	"hash" text NOT NULL,
	"applicant_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applicant_contacts_kind_hash_pk" PRIMARY KEY("kind","hash")
);
--> statement-breakpoint
CREATE TABLE "applicants" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "applicants_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lookup_attempts" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_tracking_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "request_tracking_tokens_source_unique" UNIQUE("source")
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "contact_name_hash" text;--> statement-breakpoint
ALTER TABLE "applicant_contacts" ADD CONSTRAINT "applicant_contacts_applicant_id_applicants_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "applicants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_tracking_tokens" ADD CONSTRAINT "request_tracking_tokens_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applicant_contacts_applicant_idx" ON "applicant_contacts" USING btree ("applicant_id");--> statement-breakpoint
CREATE INDEX "lookup_attempts_window_idx" ON "lookup_attempts" USING btree ("window_start");--> statement-breakpoint
CREATE INDEX "request_tracking_tokens_request_idx" ON "request_tracking_tokens" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "requests_name_words_idx" ON "requests" USING gin (string_to_array("contact_name_hash", ' '));