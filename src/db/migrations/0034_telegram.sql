CREATE TABLE "messenger_contacts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messenger_contacts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel" text NOT NULL,
	"chat_hash" text NOT NULL,
	"chat_id" text NOT NULL,
	"name" text,
	"conversation_id" bigint,
	"undeliverable_at" timestamp with time zone,
	"sending_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messenger_cursors" (
	"channel" text PRIMARY KEY NOT NULL,
	"position" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messenger_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messenger_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"contact_id" bigint NOT NULL,
	"source" text NOT NULL,
	"request_id" bigint,
	"text" text,
	"buttons" jsonb,
	"files" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"parts_sent" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"last_error_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messenger_threads" (
	"conversation_id" bigint PRIMARY KEY NOT NULL,
	"contact_id" bigint NOT NULL,
	"relayed_seq" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_conversations" ADD COLUMN "channel" text DEFAULT 'chat' NOT NULL;--> statement-breakpoint
ALTER TABLE "messenger_contacts" ADD CONSTRAINT "messenger_contacts_conversation_id_chat_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "chat_conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messenger_outbox" ADD CONSTRAINT "messenger_outbox_contact_id_messenger_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "messenger_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messenger_outbox" ADD CONSTRAINT "messenger_outbox_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messenger_threads" ADD CONSTRAINT "messenger_threads_conversation_id_chat_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "chat_conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messenger_threads" ADD CONSTRAINT "messenger_threads_contact_id_messenger_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "messenger_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messenger_contacts_chat_idx" ON "messenger_contacts" USING btree ("channel","chat_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "messenger_outbox_source_idx" ON "messenger_outbox" USING btree ("contact_id","source");--> statement-breakpoint
CREATE INDEX "messenger_outbox_pending_idx" ON "messenger_outbox" USING btree ("contact_id","id");--> statement-breakpoint
CREATE INDEX "messenger_threads_contact_idx" ON "messenger_threads" USING btree ("contact_id");