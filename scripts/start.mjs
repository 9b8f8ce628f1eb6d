// `npm start`: builds the server and the web app only when a build is missing or older than its sources (and the
// tools to build are installed), then runs the built server in this process. In a production install the build is
// already there and nothing is built.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { ROOT, serverFresh, webFresh } from "../bin/build-state.js";

function installed(name) {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
if (!serverFresh() && installed("typescript/package.json")) {
  execFileSync(npm, ["run", "build:server"], { stdio: "inherit", cwd: ROOT });
}
if (!webFresh() && installed("vite/package.json")) {
  execFileSync(npm, ["run", "build:web"], { stdio: "inherit", cwd: ROOT });
}
process.argv.splice(2, 0, "serve");
await import("../bin/otklik.js");
