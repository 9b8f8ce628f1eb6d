ALTER TABLE "kb_feedback" ADD COLUMN "voter" text;--> statement-breakpoint
ALTER TABLE "kb_feedback" ADD COLUMN "session_hash" text;--> statement-breakpoint
ALTER TABLE "kb_feedback" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "kb_feedback_voter_slug" ON "kb_feedback" USING btree ("voter","slug");--> statement-breakpoint
CREATE INDEX "kb_feedback_session" ON "kb_feedback" USING btree ("session_hash") WHERE session_hash is not null;--> statement-breakpoint
CREATE INDEX "kb_feedback_identified" ON "kb_feedback" USING btree ("created_at") WHERE voter is not null;