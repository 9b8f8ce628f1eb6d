import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emit } from "../db/outbox.ts";
import { DATA_DIR } from "./load.ts";
import { directoryOf, workCalendarOf } from "./room.ts";
import { writeLineState } from "./store.ts";

const run = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/otklik.js", import.meta.url));

let s: TestServer;
let admin: { authorization: string; id: number };
let dir: string;

beforeAll(async () => {
  s = await createTestServer();
  admin = await s.staff("administrator");
  dir = await mkdtemp(join(tmpdir(), "otklik-directory-api-"));
});
afterAll(async () => {
  await s?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: "GET", url, headers });
const asAdmin = (
  method: "GET" | "PUT" | "POST",
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  s.app.inject({
    method,
    url,
    payload: payload as string,
    headers: { authorization: admin.authorization, ...headers },
  });

async function cli(args: string[]): Promise<unknown> {
  try {
    const { stdout } = await run(process.execPath, [BIN, "directory", ...args, "--json"], { timeout: 30_000 });
    return JSON.parse(stdout);
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    if (out) return JSON.parse(out);
    throw e;
  }
}

type Q = { topic: string; audience?: string; region?: string; abroad?: boolean; at: string };
const QUESTIONS: Q[] = [
  { topic: "access", region: "Воронежская обл.", at: "2026-11-26T10:00:00+03:00" },
  // Saturday night: the urgent hotline is closed and opens on Monday.
  { topic: "application_status", at: "2026-11-28T23:30:00+03:00" },
  { topic: "business", audience: "legal_entity", at: "2026-05-09T12:00:00+03:00" },
  { topic: "information", abroad: true, at: "2026-12-31T22:00:00Z" },
  { topic: "technical", audience: "entrepreneur", region: "Якутия", at: "2026-11-26T07:00:00+03:00" },
  { topic: "documents", region: "Дагестан", at: "2026-03-09T09:30:00+03:00" },
];

function toQuery(q: Partial<Q>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) p.set(k, String(v));
  return p.toString();
}
function toArgs(q: Partial<Q>): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (k === "abroad") {
      if (v) args.push("--abroad");
    } else args.push(`--${k}`, String(v));
  }
  return args;
}

describe("GET /directory/recommend answers exactly as the CLI", () => {
  it("gives the same list for the same data and moment", async () => {
    const fromCli = await Promise.all(QUESTIONS.map((q) => cli(["recommend", ...toArgs(q)])));
    for (const [i, q] of QUESTIONS.entries()) {
      const res = await get(`/api/v1/directory/recommend?${toQuery(q)}`);
      expect(res.statusCode, JSON.stringify(q)).toBe(200);
      const items = res.json();
      expect(items.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(items, JSON.stringify(q)).toEqual(fromCli[i]);
    }
    // A few facts of the answers, so that «equal» is not «equally empty».
    const [voronezh, saturday, , abroad, yakutia] = fromCli as Array<Array<Record<string, unknown>>>;
    expect(voronezh![0]).toMatchObject({ id: "region-voronezh", open: true });
    const hotline = saturday!.find((l) => l.id === "urgent-hotline")!;
    expect(hotline).toMatchObject({ open: false, opensAt: "2026-11-30T09:00:00.000+03:00" });
    expect(abroad!.map((l) => l.id)).toEqual(["intl-main", "intl-reserve"]);
    expect(abroad![0]!.dial).toContain("00 7 495");
    expect(yakutia!.some((l) => (l.local as { timezone: string } | undefined)?.timezone === "Asia/Yakutsk")).toBe(true);
  });

  it("refuses a bad question with the CLI's error codes", async () => {
    const bad: Array<[Partial<Q>, string]> = [
      [{ topic: "weather", at: "2026-11-26T10:00:00+03:00" }, "topic_unknown"],
      [{ topic: "access", audience: "alien", at: "2026-11-26T10:00:00+03:00" }, "audience_unknown"],
      [{ topic: "access", region: "Атлантида", at: "2026-11-26T10:00:00+03:00" }, "region_unknown"],
      [{ topic: "access", at: "вчера" }, "at_invalid"],
    ];
    const fromCli = await Promise.all(bad.map(([q]) => cli(["recommend", ...toArgs(q)])));
    for (const [i, [q, code]] of bad.entries()) {
      const res = await get(`/api/v1/directory/recommend?${toQuery(q)}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().code).toBe(code);
      expect(fromCli[i]).toMatchObject({ error: { code } });
    }
  });
});

describe("no question makes the public routes fail", () => {
  const EXTREMES = [
    "+275760-09-13T00:00:00.000Z",
    "+275760-09-14T00:00:00.000Z",
    "0000-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1999-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "2026-02-30T10:00:00Z",
    "x".repeat(3000),
  ];
  const sentence = /^[А-ЯЁ].*[.!?…]$/su;

  it("refuses a moment outside 2000–2100 with 400 at_invalid and a Russian sentence, never 500", async () => {
    for (const at of EXTREMES) {
      const res = await get(`/api/v1/directory/recommend?topic=access&at=${encodeURIComponent(at)}`);
      expect(res.statusCode, at).toBe(400);
      expect(res.json().code, at).toBe("at_invalid");
      expect(res.json().detail, at).toMatch(sentence);
      expect(res.json().detail.length, at).toBeLessThan(300);
    }
    for (const at of ["2000-01-01T00:00:00Z", "2100-12-31T23:59:59.999Z"]) {
      const res = await get(`/api/v1/directory/recommend?topic=access&region=Якутия&at=${encodeURIComponent(at)}`);
      expect(res.statusCode, at).toBe(200);
    }
  });

  it("refuses the same moments in the list of lines as its schema refuses a bad time (400 validation_failed)", async () => {
    for (const at of EXTREMES) {
      const res = await get(`/api/v1/directory/lines?at=${encodeURIComponent(at)}`);
      expect(res.statusCode, at).toBe(400);
      expect(res.json(), at).toMatchObject({ code: "validation_failed", errors: [{ field: "at" }] });
      expect(res.json().detail, at).toMatch(sentence);
    }
    for (const at of ["2000-01-01T00:00:00Z", "2100-12-31T23:59:59.999Z"])
      expect((await get(`/api/v1/directory/lines?at=${encodeURIComponent(at)}`)).statusCode, at).toBe(200);
  });

  it("answers every other parameter's extremes with a 4xx and a sentence", async () => {
    const long = "я".repeat(5000);
    for (const query of [
      `topic=${encodeURIComponent(long)}`,
      `topic=access&audience=${encodeURIComponent(long)}`,
      `topic=access&region=${encodeURIComponent(long)}`,
      "topic=access&region=%27%3B--",
      "topic=__proto__",
      "topic=access&audience=constructor&region=toString",
      "topic=access&abroad=maybe",
      "topic=access&topic=business",
      "topic=access&at=a&at=b",
      "topic=",
      "",
    ]) {
      const res = await get(`/api/v1/directory/recommend?${query}`);
      expect(res.statusCode, query).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, query).toBeLessThan(500);
      expect(res.json().detail, query).toMatch(sentence);
      expect(res.json().detail.length, query).toBeLessThan(300);
    }
  });
});

describe("the calendar's refusals", () => {
  it("are sentences naming the year and the entry, with the stable code", async () => {
    const res = await asAdmin("PUT", "/api/v1/admin/directory/calendar/2030", {
      source: "проверка",
      days: [{ date: "2030-02-30", type: "holiday" }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: "calendar_invalid",
      detail:
        "Календарь на 2030 год не принят (days[0]): дата «2030-02-30» не из 2030 года или не в формате ГГГГ-ММ-ДД.",
    });
  });
});

describe("the public lists", () => {
  it("groups the published lines as the seed does, with the state at the moment asked", async () => {
    const res = await get("/api/v1/directory/lines?at=2026-11-28T23:30:00%2B03:00");
    expect(res.statusCode).toBe(200);
    const { groups } = res.json() as { groups: Array<{ title: string; lines: Array<Record<string, unknown>> }> };
    expect(groups.map((g) => g.title)).toEqual([
      "Федеральные линии",
      "Звонки из-за рубежа",
      "Региональные линии",
      "Юридические лица",
      "Индивидуальные предприниматели",
      "Тематические линии",
    ]);
    const all = groups.flatMap((g) => g.lines);
    expect(all.map((l) => l.id)).not.toContain("region-dagestan");
    expect(groups[0]!.lines.map((l) => l.id)).toEqual(["federal-main", "federal-reserve", "moscow-centre"]);
    expect(all.find((l) => l.id === "urgent-hotline")).toMatchObject({
      open: false,
      opensAt: "2026-11-30T09:00:00.000+03:00",
    });
    expect(all.find((l) => l.id === "intl-main")!.dial).toContain("011 7 495");
  });

  it("lists the 89 subjects with the short forms people type", async () => {
    const res = await get("/api/v1/directory/regions");
    expect(res.statusCode).toBe(200);
    const regions = res.json() as Array<{ name: string; short: string[] }>;
    expect(regions).toHaveLength(89);
    expect(regions.find((r) => r.short.includes("Якутия"))?.name).toMatch(/Саха/);
  });
});

describe("administrators keep the directory", () => {
  const state = async () => ({
    yaml: (await asAdmin("GET", "/api/v1/admin/directory/export")).body,
    versions: (await asAdmin("GET", "/api/v1/admin/directory/versions")).json().length as number,
  });

  it("exports a file the checker passes, and importing it unchanged changes nothing", async () => {
    const before = await state();
    expect(before.yaml).toContain("# ---- Федеральные линии ----");
    expect(before.yaml).toContain("ОШИБКА ИСТОЧНИКА (number_invalid)");
    const file = join(dir, "export.yaml");
    await writeFile(file, before.yaml);
    expect(await cli(["check", file])).toMatchObject({ ok: true, errors: 0, warnings: 6 });

    const res = await asAdmin("PUT", "/api/v1/admin/directory", before.yaml, { "content-type": "application/yaml" });
    expect(res.statusCode).toBe(200);
    expect(await state()).toEqual(before);
  });

  it("checks a file like the CLI and refuses a bad import, writing nothing", async () => {
    const before = await state();
    const seed = await readFile(join(DATA_DIR, "directory.yaml"), "utf8");
    // The seed's Dagestan number, published again, and an unknown region.
    const bad = seed
      .replace("unpublishedReason: В номере девять цифр после +7 вместо десяти; полный номер источник не сообщает.", "")
      .replace(/(id: region-dagestan[\s\S]*?)published: false\n/, "$1")
      .replace("region: Воронежская область", "region: Воронежская губерния");
    const file = join(dir, "bad.yaml");
    await writeFile(file, bad);
    const fromCli = (await cli(["check", file])) as { problems: unknown[] };

    const checked = await asAdmin("POST", "/api/v1/admin/directory/check", { yaml: bad });
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ ok: false });
    expect(checked.json().problems).toEqual(fromCli.problems);

    const res = await asAdmin("PUT", "/api/v1/admin/directory", { yaml: bad });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    const body = res.json();
    expect(body.code).toBe("directory_invalid");
    const codes = body.problems.filter((p: { severity: string }) => p.severity === "error");
    expect(codes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "number_invalid", entry: "region-dagestan", field: "number" }),
        expect.objectContaining({ code: "region_unknown", entry: "region-voronezh", field: "region" }),
      ]),
    );
    expect(codes.every((p: { line?: number }) => typeof p.line === "number")).toBe(true);
    expect(await state()).toEqual(before);

    const broken = await asAdmin("PUT", "/api/v1/admin/directory", "lines: [unclosed", {
      "content-type": "text/yaml",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().problems[0].code).toBe("yaml_syntax");
    expect(await state()).toEqual(before);
  });

  it("refuses a bad line edit with the checker's codes beside the fields, writing nothing", async () => {
    const before = await state();
    const entries = (await asAdmin("GET", "/api/v1/admin/directory")).json().entries;
    const hotline = entries.find((e: { id: string }) => e.id === "urgent-hotline").entry;
    const res = await asAdmin("PUT", "/api/v1/admin/directory/lines/urgent-hotline", {
      entry: { ...hotline, number: "8 800 555-44-4", schedule: [{ days: "working", from: "18:00", to: "09:00" }] },
    });
    expect(res.statusCode).toBe(400);
    const problems = res.json().problems as Array<Record<string, unknown>>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "number_invalid", entry: "urgent-hotline", field: "number" }),
        expect.objectContaining({ code: "schedule_empty_period", entry: "urgent-hotline", field: "schedule" }),
      ]),
    );
    expect(await state()).toEqual(before);

    // A withdrawn line with a bad number cannot be published again.
    const republish = await asAdmin("POST", "/api/v1/admin/directory/lines/region-dagestan/publication", {
      published: true,
    });
    expect(republish.statusCode).toBe(400);
    expect(republish.json().problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: "number_invalid", entry: "region-dagestan" })]),
    );
    expect(await state()).toEqual(before);
  });

  it("saves a good edit: recommend answers with it at once, and the history says who", async () => {
    const before = await state();
    const entries = (await asAdmin("GET", "/api/v1/admin/directory")).json().entries;
    const hotline = entries.find((e: { id: string }) => e.id === "urgent-hotline").entry;
    const res = await asAdmin("PUT", "/api/v1/admin/directory/lines/urgent-hotline", {
      entry: { ...hotline, schedule: [{ days: "working", from: "08:00", to: "20:00" }] },
      comment: "Часы уточнены у владельца линии.",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, created: false });
    const answer = (
      await get("/api/v1/directory/recommend?topic=application_status&at=2026-11-26T19:30:00%2B03:00")
    ).json();
    expect(answer.find((l: { id: string }) => l.id === "urgent-hotline")).toMatchObject({
      open: true,
      closesAt: "2026-11-26T20:00:00.000+03:00",
    });
    const after = await state();
    expect(after.versions).toBe(before.versions + 1);
    expect(after.yaml).toContain("# Часы уточнены у владельца линии.");
    const history = (await asAdmin("GET", "/api/v1/admin/directory/versions")).json();
    expect(history[0]).toMatchObject({ kind: "directory", subject: "строка urgent-hotline" });
    expect(history[0].changedBy).toMatch(/administrator/);
    const edited = (await asAdmin("GET", "/api/v1/admin/directory")).json().entries;
    expect(edited.find((e: { id: string }) => e.id === "urgent-hotline").updatedBy).toBe(admin.id);
    expect(edited.find((e: { id: string }) => e.id === "federal-main").updatedBy).toBeNull();
  });

  it("adds a line to its section and withdraws it with a reason", async () => {
    const entry = {
      number: "+7 8342 55-66-77",
      e164: "+78342556677",
      title: "Поддержка госуслуг — Республика Мордовия",
      purpose: "Региональная поддержка",
      kind: "regional",
      role: "main",
      audience: "all",
      topics: "all",
      region: "Мордовия",
      timezone: "Europe/Moscow",
      schedule: [{ days: "working", from: "09:00", to: "18:00" }],
      cost: "tariff",
    };
    const res = await asAdmin("PUT", "/api/v1/admin/directory/lines/region-mordovia", { entry });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().created).toBe(true);
    const lines = (await get("/api/v1/directory/lines")).json();
    const regional = lines.groups.find((g: { title: string }) => g.title === "Региональные линии");
    expect(regional.lines.at(-1).id).toBe("region-mordovia");
    const answer = (
      await get(`/api/v1/directory/recommend?topic=access&region=${encodeURIComponent("Респ. Мордовия")}`)
    ).json();
    expect(answer.map((l: { id: string }) => l.id)).toContain("region-mordovia");

    // Moved to another section, the line goes to its end and the sections stay whole.
    const moved = await asAdmin("PUT", "/api/v1/admin/directory/lines/region-mordovia", {
      entry,
      section: "Федеральные линии",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const federal = (await get("/api/v1/directory/lines")).json().groups[0];
    expect(federal.title).toBe("Федеральные линии");
    expect(federal.lines.at(-1).id).toBe("region-mordovia");
    const yaml = (await asAdmin("GET", "/api/v1/admin/directory/export")).body;
    expect(yaml.split("# ---- Федеральные линии ----")).toHaveLength(2);

    const noReason = await asAdmin("POST", "/api/v1/admin/directory/lines/region-mordovia/publication", {
      published: false,
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: "unpublished_without_reason", severity: "error" })]),
    );
    const withdrawn = await asAdmin("POST", "/api/v1/admin/directory/lines/region-mordovia/publication", {
      published: false,
      reason: "Номер не отвечает, уточняется.",
    });
    expect(withdrawn.statusCode).toBe(200);
    const again = (await get("/api/v1/directory/lines")).json();
    expect(JSON.stringify(again)).not.toContain("region-mordovia");
  });
});

describe("overload", () => {
  it("puts the reserve first while the main line is overloaded; supervisors may set it, operators not", async () => {
    const supervisor = await s.staff("supervisor");
    const operator = await s.staff("operator");
    const url = "/api/v1/directory/recommend?topic=access&at=2026-11-26T10:00:00%2B03:00";
    const order = async () => ((await get(url)).json() as Array<{ id: string }>).map((l) => l.id);
    const normal = await order();
    expect(normal.indexOf("federal-main")).toBeLessThan(normal.indexOf("federal-reserve"));

    const put = (who: { authorization: string }, id: string, overloaded: boolean) =>
      s.app.inject({
        method: "PUT",
        url: `/api/v1/directory/lines/${id}/overload`,
        payload: { overloaded },
        headers: { authorization: who.authorization },
      });
    expect((await put(operator, "federal-main", true)).statusCode).toBe(403);
    const set = await put(supervisor, "federal-main", true);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ lineId: "federal-main", overloaded: true, reserves: ["federal-reserve"] });
    const overloaded = await order();
    expect(overloaded.indexOf("federal-reserve")).toBe(overloaded.indexOf("federal-main") - 1);
    const items = (await get(url)).json();
    expect(items.find((l: { id: string }) => l.id === "federal-reserve").why).toMatch(/перегружена/);
    // The CLI's --overloaded gives the same list.
    expect(items).toEqual(
      await cli([
        "recommend",
        "--topic",
        "access",
        "--at",
        "2026-11-26T10:00:00+03:00",
        "--overloaded",
        "federal-main",
      ]),
    );

    expect((await put(supervisor, "federal-reserve", true)).json().code).toBe("line_not_main");
    expect((await put(supervisor, "no-such-line", true)).statusCode).toBe(404);
    expect((await put(admin, "federal-main", false)).statusCode).toBe(200);
    expect(await order()).toEqual(normal);
  });
});

describe("the production calendar", () => {
  it("shows a year, takes a new one, and the SLA clock sees it", async () => {
    const y2026 = await asAdmin("GET", "/api/v1/admin/directory/calendar/2026");
    expect(y2026.statusCode).toBe(200);
    expect(y2026.json()).toMatchObject({ year: 2026, workingDays: 247 });
    const cal = workCalendarOf(s.ctx);
    expect(cal.isWorkingDay("2028-01-03")).toBe(true);

    const bad = await asAdmin("PUT", "/api/v1/admin/directory/calendar/2028", {
      source: "проверка",
      days: [{ date: "2027-01-01", type: "holiday" }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("calendar_invalid");
    expect((await asAdmin("GET", "/api/v1/admin/directory/calendar/2028")).statusCode).toBe(404);

    const res = await asAdmin("PUT", "/api/v1/admin/directory/calendar/2028", {
      source: "Постановление (проект)",
      days: [
        { date: "2028-01-03", type: "holiday", title: "Новогодние каникулы" },
        { date: "2028-02-22", type: "short" },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(cal.isWorkingDay("2028-01-03")).toBe(false);
    expect(cal.isShortDay("2028-02-22")).toBe(true);
    const years = (await asAdmin("GET", "/api/v1/admin/directory/calendar")).json();
    expect(years.map((y: { year: number }) => y.year)).toEqual([2025, 2026, 2027, 2028]);
  });
});

describe("every process follows the stored directory", () => {
  it("rereads the database when any process announces a change", async () => {
    // Another process's write: straight to the tables, announced through the outbox and NOTIFY.
    await s.ctx.db.transaction(async (tx) => {
      await writeLineState(tx, "login-line", true, null);
      await emit(tx, "directory.changed", { what: "state", ids: ["login-line"] });
    });
    await expect.poll(() => directoryOf(s.ctx).overloaded.has("login-line"), { timeout: 5000 }).toBe(true);
    await s.ctx.db.transaction(async (tx) => {
      await writeLineState(tx, "login-line", false, null);
      await emit(tx, "directory.changed", { what: "state", ids: ["login-line"] });
    });
    await expect.poll(() => directoryOf(s.ctx).overloaded.has("login-line"), { timeout: 5000 }).toBe(false);
  });
});
