#!/usr/bin/env node
// The command line. It runs the compiled server (dist/, made by `npm run build`) when that is current; in a working
// copy whose sources are newer it runs the TypeScript sources through tsx, so an edit needs no build before a run.
// A production install (`npm ci --omit=dev`) has no tsx: there the build is what runs.
import { createRequire } from "node:module";
import { serverBuilt, serverFresh } from "./build-state.js";

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve("tsx/esm/api");
    return true;
  } catch {
    return false;
  }
}

let main;
if (serverFresh() || (serverBuilt() && !hasTsx())) {
  ({ main } = await import("../dist/cli/main.js"));
} else if (hasTsx()) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  console.error(
    "Сервер не собран: выполните «npm run build» (нужны пакеты для разработки) или установите собранную версию.",
  );
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
