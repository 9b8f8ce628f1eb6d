// The web app's API types are generated from the server's route schemas and committed; this keeps them true.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("web/src/api/schema.d.ts", () => {
  it("matches the OpenAPI document the server makes of its route schemas (else: npm run api:types)", async () => {
    const result = await run(process.execPath, ["--import", "tsx", "scripts/api-types.ts", "--check"], {
      cwd: ROOT,
      timeout: 110_000,
    }).catch((e: { stderr?: string; code?: number }) => ({ stdout: "", stderr: e.stderr ?? String(e), code: e.code }));
    expect(result.stderr).not.toMatch(/does not match/);
    expect(result.stdout).toMatch(/matches the server's route schemas/);
  });
});
