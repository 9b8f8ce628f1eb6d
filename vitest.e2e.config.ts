import { defineConfig } from "vitest/config";

// Browser tests: the real server in-process and Debian's Chromium. One file at a time: each starts both.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
