// The README's table of settings is the configuration's own list: a setting added in code must be documented.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("lists every setting with its default", () => {
    for (const s of Object.values(SETTINGS)) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${s.env}\``));
      expect(row, s.env).toBeDefined();
      if (s.default !== undefined) expect(row, s.env).toContain(s.default);
    }
  });

  it("names no setting that the code does not have", () => {
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    const named = [...readme.matchAll(/^\| `((?:OTKLIK_|DATABASE_URL)\w*)`/gm)].map((m) => m[1]!);
    for (const n of named) expect(known, n).toContain(n);
  });

  it("gives the two commands", () => {
    expect(readme).toContain("npm install");
    expect(readme).toContain("npm start");
    expect(readme).toContain("npm test");
  });
});
