import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkDirectory, hasErrors } from "./check.ts";
import { DATA_DIR, loadDirectoryFile, loadRegions } from "./load.ts";
import { parseDirectoryText } from "./parse.ts";
import type { RegionIndex } from "./regions.ts";
import type { Problem } from "./types.ts";

let regions: RegionIndex;
beforeAll(async () => {
  regions = await loadRegions();
});

const base = {
  id: "voronezh",
  number: "+7 4732 22‑33‑44",
  e164: "+74732223344",
  title: "Воронеж",
  kind: "regional",
  role: "main",
  audience: "all",
  topics: "all",
  region: "Воронежская область",
  timezone: "Europe/Moscow",
  schedule: "always",
  cost: "tariff",
};

function check(...lines: Array<Record<string, unknown>>): Problem[] {
  return checkDirectory(parseDirectoryText(stringify({ version: 1, lines })), regions);
}
const codes = (problems: Problem[]) => problems.map((p) => `${p.severity}:${p.code}`);

describe("a clean file", () => {
  it("has no problems", () => {
    expect(check(base)).toEqual([]);
  });
});

describe("each checker code on a hand-made bad file", () => {
  it.each<[string, Array<Record<string, unknown>>, string]>([
    ["field_missing", [{ ...base, title: undefined }], "error:field_missing"],
    ["field_invalid (kind)", [{ ...base, kind: "galactic" }], "error:field_invalid"],
    ["field_invalid (abroad)", [{ ...base, abroad: "yes" }], "error:field_invalid"],
    ["field_unknown", [{ ...base, shedule: "always" }], "warning:field_unknown"],
    ["duplicate_id", [base, { ...base, number: "+7 4732 22‑33‑45", e164: "+74732223345" }], "error:duplicate_id"],
    ["number_bad_characters", [{ ...base, number: "+7 4732 22-ЗЗ-44" }], "error:number_bad_characters"],
    [
      "number_invalid (too few digits)",
      [{ ...base, region: "Республика Дагестан", number: "+7 872 33‑44‑55", e164: "+7872334455" }],
      "error:number_invalid",
    ],
    ["number_format", [{ ...base, number: "+7 4732 22‑33 44" }], "warning:number_format"],
    [
      "tollfree_international_format",
      [{ ...base, kind: "federal", region: undefined, number: "+7 (800) 555‑55‑55", e164: "+78005555555" }],
      "warning:tollfree_international_format",
    ],
    ["e164_mismatch", [{ ...base, e164: "+74732223345" }], "error:e164_mismatch"],
    ["e164 that is not E.164", [{ ...base, e164: "8-473-222" }], "error:e164_mismatch"],
    [
      "area_code_region_mismatch",
      [{ ...base, region: "Алтайский край", number: "+7 388 222‑33‑44", e164: "+73882223344" }],
      "error:area_code_region_mismatch",
    ],
    [
      "area_code_region_mismatch (district)",
      [
        {
          ...base,
          region: undefined,
          districts: ["siberia", "far_east"],
          number: "8‑843‑555‑11‑11",
          e164: "+78435551111",
        },
      ],
      "error:area_code_region_mismatch",
    ],
    ["region_unknown", [{ ...base, region: "Атлантида" }], "error:region_unknown"],
    ["region_missing", [{ ...base, region: undefined }], "error:region_missing"],
    ["region_codes_unknown", [{ ...base, region: "Херсонская область" }], "warning:region_codes_unknown"],
    ["topic_unknown", [{ ...base, topics: ["access", "weather"] }], "error:topic_unknown"],
    ["audience_unknown", [{ ...base, audience: ["citizen", "alien"] }], "error:audience_unknown"],
    ["timezone_unknown", [{ ...base, timezone: "Europe/Voronezh" }], "error:timezone_unknown"],
    [
      "schedule_invalid",
      [{ ...base, schedule: [{ days: "weekdays", from: "09:00", to: "18:00" }] }],
      "error:schedule_invalid",
    ],
    [
      "schedule_empty_period",
      [{ ...base, schedule: [{ days: "all", from: "20:00", to: "08:00" }] }],
      "error:schedule_empty_period",
    ],
    ["schedule_empty_period (no periods)", [{ ...base, schedule: [] }], "error:schedule_empty_period"],
    [
      "schedule_overlap",
      [
        {
          ...base,
          schedule: [
            { days: "working", from: "09:00", to: "18:00" },
            { days: "all", from: "17:00", to: "20:00" },
          ],
        },
      ],
      "error:schedule_overlap",
    ],
    ["schedule_unknown", [{ ...base, schedule: "unknown" }], "warning:schedule_unknown"],
    [
      "tollfree_abroad",
      [
        {
          ...base,
          kind: "international",
          region: undefined,
          number: "8‑800‑555‑35‑35",
          e164: "+78005553535",
          abroad: true,
        },
      ],
      "error:tollfree_abroad",
    ],
    [
      "abroad_domestic_format",
      [
        {
          ...base,
          kind: "international",
          region: undefined,
          number: "8‑495‑777‑00‑00",
          e164: "+74957770000",
          abroad: true,
        },
      ],
      "warning:abroad_domestic_format",
    ],
    ["backs_missing", [{ ...base, role: "reserve" }], "warning:backs_missing"],
    ["backs_unknown", [{ ...base, role: "reserve", backs: "nowhere" }], "error:backs_unknown"],
    ["written_mismatch", [{ ...base, written: "+7 4732 22‑33‑45" }], "error:written_mismatch"],
    ["unpublished_without_reason", [{ ...base, published: false }], "error:unpublished_without_reason"],
  ])("%s", (_name, lines, expected) => {
    expect(codes(check(...lines))).toEqual([expected]);
  });

  it("schedule_conflict: one number with two different schedules", () => {
    const problems = check(
      {
        ...base,
        id: "legal",
        kind: "business",
        region: undefined,
        number: "8‑800‑555‑22‑22",
        e164: "+78005552222",
      },
      {
        ...base,
        id: "status",
        kind: "topical",
        region: undefined,
        number: "8 800 555‑22‑22",
        e164: "+78005552222",
        schedule: [{ days: "all", from: "08:00", to: "20:00" }],
      },
    );
    expect(codes(problems)).toEqual(["error:schedule_conflict"]);
    expect(problems[0]?.entry).toBe("status");
  });
  it("number_duplicate: the same number and hours twice, unless marked sameAs", () => {
    const twice = [base, { ...base, id: "again", number: "+7 (473) 222‑33‑44" }];
    expect(codes(check(...twice))).toEqual(["warning:number_duplicate"]);
    expect(check(base, { ...twice[1], sameAs: "voronezh" })).toEqual([]);
  });
  it("accepts a source spelling with the same digits, 8 or +7 alike", () => {
    expect(check({ ...base, written: "8 4732 22-33-44" })).toEqual([]);
    expect(check({ ...base, written: "+7 (4732) 22 33 44" })).toEqual([]);
  });
  it("yaml_syntax: a file that is not YAML", () => {
    const problems = checkDirectory(parseDirectoryText("lines:\n  - id: a\n   number: [\n"), regions);
    expect(problems.map((p) => p.code)).toContain("yaml_syntax");
    expect(hasErrors(problems)).toBe(true);
  });
  it("field_missing: a file without lines", () => {
    expect(codes(checkDirectory(parseDirectoryText("version: 1\n"), regions))).toEqual(["error:field_missing"]);
  });
});

describe("problem locations and withdrawn lines", () => {
  it("points at the file line of the field concerned", () => {
    const text = stringify({ version: 1, lines: [base, { ...base, id: "b", topics: ["weather"] }] });
    const problem = checkDirectory(parseDirectoryText(text), regions).find((p) => p.code === "topic_unknown")!;
    const lineText = text.split("\n")[problem.line! - 1];
    expect(problem).toMatchObject({ code: "topic_unknown", entry: "b", field: "topics" });
    expect(lineText).toMatch(/^\s+topics:/);
  });
  it("keeps the defects of an unpublished line as warnings", () => {
    const withdrawn = {
      ...base,
      number: "+7 872 33‑44‑55",
      e164: "+7872334455",
      published: false,
      unpublishedReason: "неполный номер",
    };
    expect(codes(check(withdrawn))).toEqual(["warning:number_invalid"]);
  });
});

describe("the shipped directory", () => {
  it("passes its own check: no errors, warnings only for withdrawn lines and unknown hours", async () => {
    const problems = checkDirectory(await loadDirectoryFile(), regions);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(problems.map((p) => `${p.entry}:${p.code}`)).toEqual([
      "siberia-far-east:area_code_region_mismatch",
      "region-altai-krai:area_code_region_mismatch",
      "region-dagestan:number_invalid",
      "entrepreneur-general:number_duplicate",
      "status-line:schedule_conflict",
      "documents-line:schedule_unknown",
    ]);
  });
  it("keeps every seed number: the seed as written, all published, shows exactly the seed's errors", async () => {
    const parsed = parseDirectoryText(await readFile(join(DATA_DIR, "directory.yaml"), "utf8"));
    for (const line of parsed.lines) {
      line.published = true;
      if (line.written) line.number = line.written;
    }
    const found = checkDirectory(parsed, regions).map((p) => `${p.severity}:${p.entry}:${p.code}`);
    expect(found).toEqual([
      "error:siberia-far-east:area_code_region_mismatch",
      "error:region-altai-krai:area_code_region_mismatch",
      "warning:region-belgorod:number_format",
      "error:region-dagestan:number_invalid",
      "warning:entrepreneur-general:number_duplicate",
      "warning:entrepreneur-regional:tollfree_international_format",
      "error:status-line:schedule_conflict",
      "warning:documents-line:schedule_unknown",
    ]);
  });
});
