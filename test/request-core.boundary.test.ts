// The request core owns requests, their messages, attachments and history: nothing outside src/requests/core/ writes
// those tables, nothing outside src/requests/ imports them, and nothing outside the core reaches past its front door
// (src/requests/core/index.ts). Read from the sources, so a new shortcut fails here before review.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const sources = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));

const SRC = sources("src");
const inCore = (f: string) => f.startsWith("src/requests/core/");
const inRequests = (f: string) => f.startsWith("src/requests/");

/** Writers that are not the core, each with its reason. */
const WRITERS_ALLOWED: Record<string, string> = {
  // The demo generator fabricates a year of history with past timestamps, a million rows at a time.
  "src/analytics/generate.ts": "synthetic history for the statistics",
};

/** Schema files that name the core's tables only to declare foreign keys (and the schema every table is gathered in). */
const SCHEMA_FILES = (f: string) => f === "src/db/schema.ts" || /\/(db-schema|sla-schema)\.ts$/.test(f);

const TABLES = "requests|messages|request_history|attachments";
const RAW_WRITE = new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+(${TABLES})\\b`, "i");
const BUILDER_WRITE = /\.(insert|update|delete)\(\s*(requests|messages|requestHistory|attachments)\s*\)/;

describe("the request core is the only writer", () => {
  it("no SQL or query builder outside src/requests/core/ writes requests, messages, attachments or history", () => {
    const offenders: string[] = [];
    for (const f of SRC.filter((f) => !inCore(f) && !WRITERS_ALLOWED[f])) {
      readFileSync(path.join(ROOT, f), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (RAW_WRITE.test(line) || BUILDER_WRITE.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it("no module outside src/requests/ imports the core's tables (schema files declaring foreign keys aside)", () => {
    const offenders = SRC.filter((f) => !inRequests(f) && !SCHEMA_FILES(f)).filter((f) =>
      /from\s+"[./]*requests\/schema\.ts"/.test(readFileSync(path.join(ROOT, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("nothing outside the core imports its insides: only src/requests/core/index.ts", () => {
    const offenders: string[] = [];
    for (const f of SRC.filter((f) => !inCore(f))) {
      for (const m of readFileSync(path.join(ROOT, f), "utf8").matchAll(/from\s+"([^"]*\/core\/[^"]+)"/g)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, f)), m[1]!));
        if (target.startsWith("src/requests/core/") && target !== "src/requests/core/index.ts") {
          offenders.push(`${f} → ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the allowed writers are still writers (a stale exception is removed)", () => {
    for (const f of Object.keys(WRITERS_ALLOWED)) {
      expect(RAW_WRITE.test(readFileSync(path.join(ROOT, f), "utf8")), f).toBe(true);
    }
  });
});
