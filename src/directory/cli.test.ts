import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "./cli.ts";
import { DATA_DIR } from "./load.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "otklik-directory-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("otklik directory check", () => {
  it("passes the shipped directory with exit 0 and one JSON document", async () => {
    const { code, out } = await capture(["check", join(DATA_DIR, "directory.yaml"), "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 6 });
  });
  it("fails a bad file with exit 1, naming the line, field and code", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      [
        "lines:",
        "  - id: dagestan",
        "    number: +7 872 33‑44‑55",
        '    e164: "+7872334455"',
        "    title: Дагестан",
        "    kind: regional",
        "    role: main",
        "    audience: all",
        "    topics: all",
        "    region: Республика Дагестан",
        "    timezone: Europe/Moscow",
        "    schedule: always",
        "    cost: tariff",
        "",
      ].join("\n"),
    );
    const text = await capture(["check", file]);
    expect(text.code).toBe(1);
    expect(text.out).toContain(`${file}:3: ошибка [number_invalid] dagestan.number:`);
    const json = await capture(["check", file, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).problems).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "number_invalid",
        line: 3,
        entry: "dagestan",
        field: "number",
      }),
    ]);
  });
  it("reports a missing file with a stable code and exit 2", async () => {
    const { code, out } = await capture(["check", join(dir, "none.yaml"), "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(out).error.code).toBe("file_not_found");
  });
});

describe("otklik directory recommend", () => {
  it("prints the list as JSON, best first", async () => {
    const { code, out } = await capture([
      "recommend",
      "--topic",
      "access",
      "--region",
      "Воронежская обл.",
      "--at",
      "2026-03-03T10:00:00+03:00",
      "--json",
    ]);
    expect(code).toBe(0);
    const items = JSON.parse(out);
    expect(items[0]).toMatchObject({
      number: "+7 4732 22‑33‑44",
      e164: "+74732223344",
      open: true,
      opensAt: null,
    });
    expect(items.map((i: { id: string }) => i.id)).toContain("login-line");
  });
  it("takes overloaded lines from the command line", async () => {
    const { out } = await capture(["recommend", "--topic", "information", "--overloaded", "federal-main", "--json"]);
    expect(JSON.parse(out).map((i: { id: string }) => i.id)).toEqual(["federal-reserve", "federal-main"]);
  });
  it("refuses to answer from a directory file with errors", async () => {
    const file = join(dir, "broken.yaml");
    await writeFile(file, "lines:\n  - id: x\n    number: '123'\n");
    const { code, out } = await capture(["recommend", "--topic", "access", "--file", file, "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(out).error.code).toBe("directory_invalid");
  });
  it("answers an unknown region with its code", async () => {
    const { code, out } = await capture(["recommend", "--topic", "access", "--region", "Атлантида", "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(out).error.code).toBe("region_unknown");
  });
});

describe("the command line's errors", () => {
  const sentence = /^[А-ЯЁ].*[.!?…]$/su;
  it.each([
    [["check", "/no/such/file.yaml"], "file_not_found", "Файл «/no/such/file.yaml» не найден."],
    [["check"], "usage", "Не указан файл справочника: otklik directory check ФАЙЛ."],
    [["recommend", "--topic", "access", "--bogus"], "usage", "Неизвестный параметр «--bogus»."],
    [["recommend", "--topic"], "usage", "Параметру «--topic» нужно значение."],
    [["recommend"], "topic_unknown", "Не указана тема: добавьте --topic, например --topic access."],
    [["recommend", "--topic", "zzz"], "topic_unknown", "Темы «zzz» в справочнике нет."],
    [["recommend", "--topic", "access", "--at", "+275760-09-13T00:00:00.000Z"], "at_invalid", "с 1 января 2000 года"],
  ])("%j: %s, a whole sentence", async (args, code, words) => {
    const json = await capture([...args, "--json"]);
    expect(json.code).toBe(2);
    const { error } = JSON.parse(json.out);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(sentence);
    expect(error.message).toContain(words);
    const text = await capture(args);
    expect(text.err).toBe(`Ошибка [${code}]. ${error.message}\n`);
  });
  it("says what is missing for calendar-import too", async () => {
    const { code, err } = await capture(["calendar-import"]);
    expect(code).toBe(2);
    expect(err).toBe("Ошибка [usage]. Не указан XML-файл календаря: otklik directory calendar-import ФАЙЛ.xml.\n");
  });
  it("names the first error of a broken directory file in a sentence, counted in Russian", async () => {
    const file = join(dir, "broken-count.yaml");
    await writeFile(file, "lines:\n  - id: x\n    number: '123'\n");
    const { out } = await capture(["recommend", "--topic", "access", "--file", file, "--json"]);
    const { error } = JSON.parse(out);
    expect(error.code).toBe("directory_invalid");
    expect(error.message).toMatch(
      /^В справочнике \d+ ошиб(ка|ки|ок), поэтому ответа нет\. Первая — в строке \d+ \[[a-z_]+\]: /u,
    );
    expect(error.message).toMatch(sentence);
  });
});
