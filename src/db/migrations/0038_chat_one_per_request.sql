DROP INDEX "chat_conversations_request_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "chat_conversations_request_idx" ON "chat_conversations" USING btree ("request_id");