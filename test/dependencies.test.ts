// A production install has the dependencies only (`npm ci --omit=dev`): every package the server's code imports as a
// value must be one of them. (A type-only import vanishes when the server is compiled.) scripts/production-start.sh
// proves the same by starting a pruned build; this says which import is at fault, in a second.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

describe("run-time imports", () => {
  it("are all dependencies, not development packages", () => {
    const missing = new Set<string>();
    const files = readdirSync(path.join(ROOT, "src"), { recursive: true, withFileTypes: true }).filter(
      (e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"),
    );
    for (const f of files) {
      const text = readFileSync(path.join(f.parentPath, f.name), "utf8");
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^".][^"]*)"/gms)) {
        if (m[1] || m[2]!.startsWith("node:")) continue;
        const parts = m[2]!.split("/");
        const name = m[2]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
        if (!pkg.dependencies[name]) missing.add(`${name} (${path.relative(ROOT, path.join(f.parentPath, f.name))})`);
      }
      for (const m of text.matchAll(/import\("([^".][^"]*)"\)/g)) {
        const parts = m[1]!.split("/");
        const name = m[1]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
        if (!m[1]!.startsWith("node:") && !pkg.dependencies[name]) missing.add(name);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
