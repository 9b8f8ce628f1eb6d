// `npm run db:generate -- --name <what>`: drizzle-kit generates the migration, then the schema qualifier is stripped
// (see unqualify-migrations.mjs).
import { execFileSync } from "node:child_process";

execFileSync("npx", ["drizzle-kit", "generate", ...process.argv.slice(2)], { stdio: "inherit" });
await import("./unqualify-migrations.mjs");
