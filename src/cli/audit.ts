// `npx otklik audit …`: a fresh signed checkpoint of the audit log, and the chain verified against the checkpoints
// kept by the log collector (docs/SECURITY.md, «The audit chain is anchored outside its table»).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { takeCheckpoint } from "../audit/anchor.ts";
import { verifyChain } from "../audit/audit.ts";
import { auditKey, CHECKPOINT_PREFIX, findCheckpoints } from "../audit/seal.ts";
import type { AuditVerification } from "../audit/verify.ts";
import { loadConfig } from "../config.ts";
import { loadKeyring } from "../security/start.ts";
import { CliError, cliMain, withDatabase } from "./database.ts";

const USAGE =
  "audit checkpoint — подписанная контрольная точка журнала доступа (последняя запись, их число, время)\n" +
  "audit verify [--checkpoint <контрольная точка | файл журнала сервера | ->]… — пересчитать цепочку и сверить её " +
  "с контрольными точками; код выхода 1, если журнал не цел";

const DEVELOPMENT =
  "Внимание: OTKLIK_INDEX_KEY не задан, подпись выведена из опубликованного ключа разработки — контрольные точки " +
  "ничего не доказывают.";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const sources: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--checkpoint") sources.push(argv[++i] ?? "");
    else if (a.startsWith("--checkpoint=")) sources.push(a.slice("--checkpoint=".length));
    else if (!a.startsWith("--")) words.push(a);
  }
  const [command] = words;
  let intact = true;
  const code = await cliMain(json, async () => {
    if (command !== "checkpoint" && command !== "verify") throw new CliError(`Команды audit:\n${USAGE}`);
    loadKeyring(loadConfig());
    if (command === "checkpoint") {
      const { token, checkpoint } = await withDatabase((d) => takeCheckpoint(d.db));
      if (json) return { token, checkpoint };
      const head = checkpoint.id === null ? "журнал пуст" : `последняя запись № ${checkpoint.id}`;
      return [
        ...(auditKey().development ? [DEVELOPMENT] : []),
        `Контрольная точка журнала доступа: ${head}, записей с начала — ${checkpoint.count}, ${checkpoint.at}.`,
        token,
      ].join("\n");
    }
    const tokens: string[] = [];
    for (const source of sources) tokens.push(...(await checkpointsIn(source)));
    const report = await withDatabase((d) => verifyChain(d.db, { checkpoints: tokens }));
    intact = report.ok;
    return json ? report : describe(report);
  });
  return code === 0 && !intact ? 1 : code;
}

/** A checkpoint given as it is, a log file to scan, or «-» for the standard input. */
async function checkpointsIn(source: string): Promise<string[]> {
  const given = findCheckpoints(source);
  if (given.length > 0) return given;
  let input: Readable;
  if (source === "-") input = process.stdin;
  else if (source && existsSync(source) && statSync(source).isFile()) input = createReadStream(source);
  else {
    throw new CliError(
      `«${source.slice(0, 80)}» — ни контрольная точка (${CHECKPOINT_PREFIX}.…), ни файл журнала: укажите одно из двух.`,
    );
  }
  const found = new Set<string>();
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    for (const t of findCheckpoints(line)) found.add(t);
  }
  if (found.size === 0) {
    throw new CliError(`В «${source}» нет ни одной контрольной точки (${CHECKPOINT_PREFIX}.…).`);
  }
  return [...found];
}

function describe(r: AuditVerification): string {
  const lines: string[] = [];
  if (r.developmentKey) lines.push(DEVELOPMENT);
  const head = r.head
    ? `последняя запись № ${r.head.id}, записей с начала — ${r.head.count}, очищено по сроку хранения — ${r.purged}`
    : "журнал пуст";
  lines.push(
    r.ok
      ? `Журнал цел: пересчитано записей — ${r.checked} (${head}).`
      : `Журнал НЕ цел: нарушений — ${r.problems.length} (пересчитано записей — ${r.checked}; ${head}).`,
  );
  for (const p of r.problems) lines.push(`  • [${p.code}] ${p.detail}`);
  const c = r.checkpoints;
  if (c.given === 0) {
    lines.push(
      "Проверена одна цепочка, без контрольных точек: удаление последних записей так не видно. " +
        "Укажите --checkpoint <журнал сервера>.",
    );
  } else {
    lines.push(
      `Контрольных точек: дано — ${c.given}, принято — ${c.accepted}, отвергнуто — ${c.rejected}, ` +
        `их записи уже очищены по сроку хранения — ${c.purgedSince}` +
        (c.newest ? `; самая поздняя — ${c.newest}.` : "."),
    );
  }
  return lines.join("\n");
}
