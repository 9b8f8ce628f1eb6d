CREATE TABLE "request_relations" (
	"a_id" bigint NOT NULL,
	"b_id" bigint NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "request_relations_a_id_b_id_pk" PRIMARY KEY("a_id","b_id")
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "merged_into_id" bigint;--> statement-breakpoint
ALTER TABLE "request_relations" ADD CONSTRAINT "request_relations_a_id_requests_id_fk" FOREIGN KEY ("a_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_relations" ADD CONSTRAINT "request_relations_b_id_requests_id_fk" FOREIGN KEY ("b_id") REFERENCES "requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_relations" ADD CONSTRAINT "request_relations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "request_relations_b_idx" ON "request_relations" USING btree ("b_id");--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_merged_into_id_requests_id_fk" FOREIGN KEY ("merged_into_id") REFERENCES "requests"("id") ON DELETE set null ON UPDATE no action;