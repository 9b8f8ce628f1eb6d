import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.{ts,tsx}"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // PGlite instances are heavy (≈400 MB each): keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
  },
});
