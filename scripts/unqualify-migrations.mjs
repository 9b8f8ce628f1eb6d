// drizzle-kit writes "public". before every name; Otklik's migrations must run in whatever schema the
// connection's search_path names (a test run on a shared server gets a schema of its own), so strip it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const dir = new URL("../src/db/migrations/", import.meta.url);
for (const name of readdirSync(dir).filter((f) => f.endsWith(".sql"))) {
  const file = new URL(name, dir);
  const sql = readFileSync(file, "utf8");
  const out = sql.replaceAll('"public".', "");
  if (out !== sql) writeFileSync(file, out);
}
