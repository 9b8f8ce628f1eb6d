import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkDirectory } from "./check.ts";
import { lineToEntry, readLayout, renderEntries, withLayout } from "./document.ts";
import { DATA_DIR, loadRegions } from "./load.ts";
import { parseDirectoryText } from "./parse.ts";

describe("the directory as a document", () => {
  it("round-trips the shipped file: same lines, sections, comments and checker findings", async () => {
    const text = await readFile(join(DATA_DIR, "directory.yaml"), "utf8");
    const parsed = parseDirectoryText(text);
    const entries = withLayout(parsed.lines, text);
    const out = renderEntries(entries);
    const again = parseDirectoryText(out);
    expect(again.lines).toEqual(parsed.lines);
    expect(withLayout(again.lines, out)).toEqual(entries);
    const regions = await loadRegions();
    const codes = (t: typeof parsed) => checkDirectory(t, regions).map((p) => `${p.severity} ${p.code} ${p.entry}`);
    expect(codes(again)).toEqual(codes(parsed));
    expect(new Set(entries.map((e) => e.section)).size).toBe(6);
    expect(entries.find((e) => e.line.id === "region-dagestan")?.comment).toMatch(
      /^ОШИБКА ИСТОЧНИКА \(number_invalid\)/,
    );
  });

  it("writes lists as the file does: all, one region, periods with times", () => {
    const [line] = parseDirectoryText(
      [
        "lines:",
        "  - id: x",
        "    number: 8 800 555-44-44",
        "    audience: [citizen]",
        "    topics: all",
        "    region: Москва",
        '    schedule: [{ days: [mon, tue], from: "09:00", to: "24:00" }]',
      ].join("\n"),
    ).lines;
    expect(lineToEntry(line!)).toMatchObject({
      audience: ["citizen"],
      topics: "all",
      region: "Москва",
      schedule: [{ days: ["mon", "tue"], from: "09:00", to: "24:00" }],
    });
  });

  it("keeps an entry under no heading in the section above it", () => {
    const text = ["lines:", "  # ---- Свои ----", "  - id: a", "  # про b", "  - id: b"].join("\n");
    expect(readLayout(text)).toEqual([
      { section: "Свои", comment: null },
      { section: null, comment: "про b" },
    ]);
  });
});
