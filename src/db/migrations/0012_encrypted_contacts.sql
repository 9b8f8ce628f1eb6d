DROP INDEX "email_inbox_message_idx";--> statement-breakpoint
DROP INDEX "phone_calls_from_idx";--> statement-breakpoint
DROP INDEX "portal_accounts_phone_idx";--> statement-breakpoint
DROP INDEX "portal_accounts_snils_idx";--> statement-breakpoint
DROP INDEX "requests_email_idx";--> statement-breakpoint
DROP INDEX "requests_phone_idx";--> statement-breakpoint
ALTER TABLE "email_inbox" ADD COLUMN "from_hash" text;--> statement-breakpoint
ALTER TABLE "phone_calls" ADD COLUMN "from_hash" text;--> statement-breakpoint
ALTER TABLE "phone_calls" ADD COLUMN "to_hash" text;--> statement-breakpoint
ALTER TABLE "portal_accounts" ADD COLUMN "phone_hash" text;--> statement-breakpoint
ALTER TABLE "portal_accounts" ADD COLUMN "snils_hash" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "contact_email_hash" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "contact_phone_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "email_inbox_message_sender_idx" ON "email_inbox" USING btree ("message_id","from_hash");--> statement-breakpoint
CREATE INDEX "phone_calls_from_hash_idx" ON "phone_calls" USING btree ("from_hash","started_at");--> statement-breakpoint
CREATE INDEX "phone_calls_to_hash_idx" ON "phone_calls" USING btree ("to_hash");--> statement-breakpoint
CREATE INDEX "portal_accounts_phone_hash_idx" ON "portal_accounts" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "portal_accounts_snils_hash_idx" ON "portal_accounts" USING btree ("snils_hash");--> statement-breakpoint
CREATE INDEX "requests_email_hash_idx" ON "requests" USING btree ("contact_email_hash");--> statement-breakpoint
CREATE INDEX "requests_phone_hash_idx" ON "requests" USING btree ("contact_phone_hash");