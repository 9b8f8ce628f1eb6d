CREATE TABLE "phone_rating_invitations" (
	"request_id" bigint PRIMARY KEY NOT NULL,
	"phone_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"asked_at" timestamp with time zone,
	"asked_call_sid" text
);
--> statement-breakpoint
ALTER TABLE "phone_rating_invitations" ADD CONSTRAINT "phone_rating_invitations_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phone_rating_invitations_pending_idx" ON "phone_rating_invitations" USING btree ("phone_hash") WHERE asked_at is null;