// An encrypted column compared in SQL finds nothing, silently (each value encrypts differently): lookups must use
// the blind index beside it. This test reads the source for comparisons on encrypted columns.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { getTableColumns, getTableName, is, Table } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "../db/schema.ts";
import { SEALED_COLUMNS } from "./sealed.ts";

const SRC = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "migrations" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** `requests.contactEmail` and `contact_email` for every encrypted column. */
function sealedNames(): { property: string; column: string }[] {
  const out: { property: string; column: string }[] = [];
  for (const value of Object.values(schema)) {
    if (!is(value, Table)) continue;
    const table = getTableName(value);
    for (const [property, col] of Object.entries(getTableColumns(value))) {
      if (SEALED_COLUMNS.some((c) => c.table === table && c.column === col.name)) {
        out.push({ property, column: col.name });
      }
    }
  }
  return out;
}

describe("encrypted columns", () => {
  it("are all known to the schema (the registry and the tables agree)", () => {
    expect(sealedNames().length).toBe(SEALED_COLUMNS.length);
  });

  it("are never compared in SQL: lookups go through their blind indexes", () => {
    const offences: string[] = [];
    const names = sealedNames();
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const { property, column } of names) {
        const patterns = [
          // Drizzle helpers: eq(requests.contactEmail, …), inArray(phoneCalls.fromNumber, …)
          new RegExp(`\\b(eq|ne|inArray|notInArray|like|ilike|gt|lt|gte|lte)\\(\\s*\\w+\\.${property}\\b`),
          // In a sql`` template: ${requests.contactEmail} = …, lower(${…contactEmail})
          new RegExp(`\\$\\{\\w+\\.${property}\\}\\)?\\s*(=|<>|like|ilike|in\\b)`, "i"),
        ];
        // Raw SQL text: contact_email = … (only names that cannot be a JavaScript variable of the same spelling)
        if (column.includes("_")) {
          patterns.push(new RegExp(`\\b${column}\\s*(=|<>|\\blike\\b|\\bilike\\b|\\bin\\s*\\()`, "i"));
        }
        text.split("\n").forEach((line, i) => {
          // Assignments in an update (`set contact_email = null`) are writes, not comparisons.
          if (/\bset\b|,\s*$/i.test(line) && /=\s*null/i.test(line)) return;
          if (patterns.some((p) => p.test(line))) offences.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offences).toEqual([]);
  });
});
