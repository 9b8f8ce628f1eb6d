// Whether the compiled server (dist/) and the built web app (web/dist/) are there and newer than their sources.
// Read by bin/otklik.js (which runs the build when it is current) and scripts/start.mjs (which builds what is not).
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Written last by `npm run build:server`: the compiled tree is whole. */
export const SERVER_STAMP = path.join(ROOT, "dist", ".built");
export const WEB_INDEX = path.join(ROOT, "web", "dist", "index.html");

/** The newest modification time among the files under `dir` that `keep` accepts (0 when there are none). */
function newest(dir, keep) {
  if (!existsSync(dir)) return 0;
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (!keep(file)) continue;
    time = Math.max(time, statSync(file).mtimeMs);
  }
  return time;
}

function builtAt(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1;
}

const serverSource = (f) => !f.endsWith(".test.ts") && !f.includes(`${path.sep}node_modules${path.sep}`);

export function serverBuilt() {
  return builtAt(SERVER_STAMP) >= 0;
}

export function serverFresh() {
  const at = builtAt(SERVER_STAMP);
  return at >= 0 && at >= newest(path.join(ROOT, "src"), serverSource);
}

export function webFresh() {
  const at = builtAt(WEB_INDEX);
  if (at < 0) return false;
  const sources = Math.max(
    newest(path.join(ROOT, "web", "src"), () => true),
    newest(path.join(ROOT, "web", "widget"), () => true),
    builtAt(path.join(ROOT, "web", "index.html")),
    builtAt(path.join(ROOT, "web", "vite.config.ts")),
  );
  return at >= sources;
}
