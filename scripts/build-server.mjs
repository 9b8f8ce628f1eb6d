// Compiles the server to JavaScript in dist/ (TypeScript's own compiler, imports rewritten from .ts to .js), copies
// what it reads beside its code (the migrations), and stamps the tree as whole.
import { execFileSync } from "node:child_process";
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT, SERVER_STAMP } from "../bin/build-state.js";

const dist = path.join(ROOT, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit", cwd: ROOT });
cpSync(path.join(ROOT, "src", "db", "migrations"), path.join(dist, "db", "migrations"), { recursive: true });
writeFileSync(SERVER_STAMP, `${new Date().toISOString()}\n`);
