CREATE TABLE "directory_calendar_days" (
	"year" integer NOT NULL,
	"date" date NOT NULL,
	"kind" text NOT NULL,
	"title" text,
	"moved_from" date,
	CONSTRAINT "directory_calendar_days_year_date_pk" PRIMARY KEY("year","date")
);
--> statement-breakpoint
CREATE TABLE "directory_calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"decree" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "directory_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"section" text NOT NULL,
	"comment" text,
	"data" jsonb NOT NULL,
	"published" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "directory_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "directory_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"document" text NOT NULL,
	"changed_by" integer,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_line_states" (
	"line_id" text PRIMARY KEY NOT NULL,
	"overloaded" boolean DEFAULT false NOT NULL,
	"set_by" integer,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "directory_calendar_days" ADD CONSTRAINT "directory_calendar_days_year_directory_calendar_years_year_fk" FOREIGN KEY ("year") REFERENCES "directory_calendar_years"("year") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_calendar_years" ADD CONSTRAINT "directory_calendar_years_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_lines" ADD CONSTRAINT "directory_lines_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_versions" ADD CONSTRAINT "directory_versions_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_line_states" ADD CONSTRAINT "directory_line_states_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_versions_kind_idx" ON "directory_versions" USING btree ("kind","id");