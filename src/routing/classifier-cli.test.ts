import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { run } from "./cli.ts";

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const dir = mkdtempSync(join(tmpdir(), "otklik-classify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("otklik classify", () => {
  it("prints exactly one JSON document with category, confidence and audience", async () => {
    const r = await capture(["не", "приходит", "код", "из", "смс,", "ИНН 7751891603", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ category: "access", audience: "legal_entity" });
    expect(doc.confidence).toBeGreaterThan(0.5);
  });

  it("speaks Russian to people and fails with a stable code", async () => {
    const human = await capture(["сайт не открывается"]);
    expect(human.stdout).toContain("Категория: Технические неполадки портала (technical)");
    const empty = await capture(["--json"]);
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.stdout).error.code).toBe("cli.usage");
    const missing = await capture(["eval", "--data", join(dir, "nope.tsv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cli.file_not_found");
  });

  it("trains with extra examples into a file that classify and eval then use", async () => {
    const extra = join(dir, "corrections.tsv");
    writeFileSync(extra, "text\tcategory\nпарковочное разрешение для многодетных\tinformation\n");
    const out = join(dir, "model.json");
    const t = await capture(["train", "--data", extra, "--out", out, "--json"]);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ extra: 1, out });
    expect(JSON.parse(readFileSync(out, "utf8")).format).toBe("otklik-classifier/1");
    const c = await capture(["забыл пароль", "--model", out, "--json"]);
    expect(JSON.parse(c.stdout).category).toBe("access");
    const e = await capture(["eval", "--model", out, "--json"]);
    const ev = JSON.parse(e.stdout);
    expect(ev.total).toBeGreaterThanOrEqual(120);
    expect(ev.perClass).toHaveLength(9);
    expect(ev.confusion.access.access).toBeGreaterThan(0);
  });

  it("cross-validates a labelled file and reports the threshold table", async () => {
    const file = join(dir, "small.tsv");
    const lines = [
      "text\tcategory",
      "забыл пароль\taccess",
      "не приходит код из смс\taccess",
      "пароль не подходит\taccess",
      "смс с кодом не приходит\taccess",
      "электронная подпись не работает\te_signature",
      "сертификат подписи не найден\te_signature",
      "как получить электронную подпись\te_signature",
      "плагин подписи не видит сертификат\te_signature",
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const r = await capture(["cv", "--data", file, "--folds", "2", "--json"]);
    expect(r.code).toBe(0);
    const cv = JSON.parse(r.stdout);
    expect(cv).toMatchObject({ folds: 2, total: 8 });
    expect(cv.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(cv.thresholds.map((t: { threshold: number }) => t.threshold)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const bad = await capture(["cv", "--folds", "1", "--json"]);
    expect(bad.code).toBe(2);
  });
});
