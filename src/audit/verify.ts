// Verifying the audit log: the chain recomputed from its anchor, the anchor matched against the signed record of the
// last retention purge, and each signed checkpoint from the server's log held against what is in the table now.

import { asc, eq, gt } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { settings } from "../db/schema.ts";
import { count, WORDS } from "../text/plural.ts";
import { ANCHOR_KEY, digest, GENESIS, PURGE_ACTION } from "./chain.ts";
import { auditLog } from "./db-schema.ts";
import { type AuditKey, auditKey, type Checkpoint, openCheckpoint, openPurge, type PurgeFacts } from "./seal.ts";

export type AuditProblemCode =
  | "entry_changed"
  | "entries_deleted"
  | "oldest_deleted"
  | "anchor_unrecorded"
  | "purge_forged"
  | "purge_other_key"
  | "newest_deleted"
  | "entry_deleted"
  | "checkpoint_mismatch"
  | "checkpoint_count"
  | "checkpoint_forged"
  | "checkpoint_other_key";

export type AuditProblem = {
  code: AuditProblemCode;
  /** What happened, in Russian, with the entry and the checkpoint it concerns. */
  detail: string;
  entryId?: number;
  /** Entries known to be missing. */
  missing?: number;
  /** Checkpoints that show the same (they are reported once). */
  checkpoints?: number;
};

export type AuditVerification = {
  ok: boolean;
  /** Entries recomputed. */
  checked: number;
  /** The first entry from which the chain does not hold, or null. */
  brokenAt: number | null;
  head: { id: number; hash: string; count: number } | null;
  /** Entries removed by retention purges, by the signed record of the last one. */
  purged: number;
  checkpoints: { given: number; accepted: number; rejected: number; purgedSince: number; newest: string | null };
  /** The key is derived from the published development index key: signatures prove nothing. */
  developmentKey: boolean;
  problems: AuditProblem[];
};

const MAX_CHAIN_PROBLEMS = 20;
const BATCH = 1000;

/** «не хватает 1 записи», «… 2 записей», «… 5 записей». */
const entriesGen = (n: number) => count(n, ...WORDS.entryGenitive);
const when = (iso: string) =>
  `${new Date(iso).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })} по московскому времени`;

export async function verifyChain(
  db: Queryable,
  opts: { checkpoints?: string[]; key?: AuditKey } = {},
): Promise<AuditVerification> {
  const key = opts.key ?? auditKey();
  const chain: AuditProblem[] = [];
  const flag = (p: AuditProblem) => {
    if (chain.length < MAX_CHAIN_PROBLEMS) chain.push(p);
  };

  const opened = [...new Set(opts.checkpoints ?? [])].map((t) => openCheckpoint(key, t));
  const points = opened
    .flatMap((o) =>
      "checkpoint" in o && o.checkpoint.id !== null ? [o.checkpoint as Checkpoint & { id: number }] : [],
    )
    .sort((a, b) => a.id - b.id);
  const wanted = new Set(points.map((p) => p.id));
  const stored = new Map<number, string>();
  const upTo = new Map<number, number>();

  const [anchorRow] = await db.select().from(settings).where(eq(settings.key, ANCHOR_KEY));
  const anchor = anchorRow?.value ?? GENESIS;
  let prev = anchor;
  let checked = 0;
  let first: number | null = null;
  let head: { id: number; hash: string } | null = null;
  let purge: (PurgeFacts & { entryId: number; foreign: string | null }) | null = null;
  let next = 0;
  for (let after = 0; ; ) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(BATCH);
    if (rows.length === 0) break;
    for (const r of rows) {
      while (next < points.length && points[next]!.id < r.id) upTo.set(points[next++]!.id, checked);
      first ??= r.id;
      const expected = digest(r.prevHash, r.at, {
        actorId: r.actorId,
        action: r.action,
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        reason: r.reason,
        details: r.details,
      });
      if (r.prevHash !== prev && r.id === first) {
        flag({
          code: "oldest_deleted",
          entryId: r.id,
          detail: `Удалено начало журнала: первая сохранившаяся запись № ${r.id} ссылается на запись, которой нет, и это не очистка по сроку хранения.`,
        });
      } else if (r.prevHash !== prev) {
        flag({
          code: "entries_deleted",
          entryId: r.id,
          detail: `Перед записью № ${r.id} удалены записи: она ссылается на запись, которой в журнале нет.`,
        });
      } else if (r.hash !== expected) {
        flag({
          code: "entry_changed",
          entryId: r.id,
          detail: `Запись № ${r.id} изменена: её хеш не сходится с её содержимым.`,
        });
      }
      if (r.action === PURGE_ACTION) {
        const seal = openPurge(key, r.details);
        if (seal.rejected === "forged") {
          flag({
            code: "purge_forged",
            entryId: r.id,
            detail: `Запись № ${r.id} выдаёт себя за очистку по сроку хранения, но её подпись не сходится: она подделана.`,
          });
        } else {
          purge = { ...seal.facts, entryId: r.id, foreign: seal.rejected === "other_key" ? (seal.key ?? "") : null };
        }
      }
      // After a break, carry on from what is stored, so that every break is found and not only the first.
      prev = r.hash;
      checked++;
      head = { id: r.id, hash: r.hash };
      if (wanted.has(r.id)) stored.set(r.id, r.hash);
      after = r.id;
    }
  }
  while (next < points.length) upTo.set(points[next++]!.id, checked);

  // Only the last purge counts (it carries the anchor and the total); one under another key cannot be checked.
  if (purge?.foreign != null) {
    flag({
      code: "purge_other_key",
      entryId: purge.entryId,
      detail: `Последняя запись об очистке по сроку хранения, № ${purge.entryId}, подписана другим ключом (отпечаток ${purge.foreign}), и проверить её нельзя: менялся ли OTKLIK_INDEX_KEY?`,
    });
  }
  const purged = purge?.purgedTotal ?? 0;
  const recorded = purge?.anchor ?? GENESIS;
  // The anchor must be the one the last signed purge left (the genesis before any). When the first entry does not
  // even link to the anchor, that is already said.
  if (anchor !== recorded && !(chain[0]?.code === "oldest_deleted" && chain[0].entryId === first)) {
    flag({
      code: "anchor_unrecorded",
      ...(first !== null && { entryId: first }),
      detail:
        "Удалено начало журнала, а якорь цепочки переписан, чтобы это скрыть: подписанной записи об очистке по сроку хранения с таким якорем нет.",
    });
  }

  const fromPoints = judgeCheckpoints(points, { stored, upTo, purge, purged, head });
  const rejected = opened.filter((o) => "rejected" in o) as { token: string; rejected: string; key?: string }[];
  const refusals: AuditProblem[] = [];
  const forged = rejected.filter((o) => o.rejected === "forged").length;
  if (forged > 0) {
    refusals.push({
      code: "checkpoint_forged",
      checkpoints: forged,
      detail:
        forged === 1
          ? "Контрольная точка не прошла проверку подписи: она подделана или повреждена и в проверке не участвует."
          : `Контрольных точек, не прошедших проверку подписи (подделанных или повреждённых), — ${forged}; в проверке они не участвуют.`,
    });
  }
  const strangers = rejected.filter((o) => o.rejected === "other_key");
  if (strangers.length > 0) {
    refusals.push({
      code: "checkpoint_other_key",
      checkpoints: strangers.length,
      detail: `Контрольных точек, подписанных не ключом этой установки (отпечаток ${key.id}), а другим (${[...new Set(strangers.map((s) => s.key))].join(", ")}), — ${strangers.length}: проверить их нельзя. Если OTKLIK_INDEX_KEY менялся, прежние точки проверяются с прежним ключом.`,
    });
  }

  const problems = [...chain, ...fromPoints.problems, ...refusals];
  const breaks = chain.map((p) => p.entryId).filter((id): id is number => id !== undefined);
  return {
    ok: problems.length === 0,
    checked,
    brokenAt: breaks.length ? Math.min(...breaks) : null,
    head: head && { ...head, count: purged + checked },
    purged,
    checkpoints: {
      given: opened.length,
      accepted: opened.length - rejected.length,
      rejected: rejected.length,
      purgedSince: fromPoints.purgedSince,
      newest: points.length ? points.reduce((a, b) => (b.at > a.at ? b : a)).at : null,
    },
    developmentKey: key.development,
    problems,
  };
}

type Seen = {
  stored: Map<number, string>;
  upTo: Map<number, number>;
  purge: PurgeFacts | null;
  purged: number;
  head: { id: number; hash: string } | null;
};

/** Each checkpoint against the table; the same finding from many checkpoints is reported once, at its worst. */
function judgeCheckpoints(points: (Checkpoint & { id: number })[], seen: Seen) {
  const worst = new Map<AuditProblemCode, AuditProblem>();
  const note = (p: AuditProblem) => {
    const before = worst.get(p.code);
    const count = (before?.checkpoints ?? 0) + 1;
    const keep =
      !before ||
      (p.missing ?? 0) > (before.missing ?? 0) ||
      ((p.missing ?? 0) === (before.missing ?? 0) && (p.entryId ?? 0) > (before.entryId ?? 0));
    worst.set(p.code, { ...(keep ? p : before), checkpoints: count });
  };
  let purgedSince = 0;
  for (const cp of points) {
    const at = when(cp.at);
    const hash = seen.stored.get(cp.id);
    const have = seen.purged + (seen.upTo.get(cp.id) ?? 0);
    const missing = cp.count - have;
    if (hash !== undefined) {
      if (hash !== cp.hash) {
        note({
          code: "checkpoint_mismatch",
          entryId: cp.id,
          detail: `Запись № ${cp.id} не та, что подтверждает контрольная точка от ${at}: её хеш другой, журнал переписан.`,
        });
      } else if (missing > 0) {
        note({
          code: "oldest_deleted",
          entryId: cp.id,
          missing,
          detail: `Удалено начало журнала: контрольная точка от ${at} насчитывает ${count(cp.count, ...WORDS.entry)} по запись № ${cp.id} включительно, а сейчас, с очищенными по сроку хранения, их ${have}; не хватает ${entriesGen(missing)}.`,
        });
      } else if (missing < 0) {
        note({
          code: "checkpoint_count",
          entryId: cp.id,
          detail: `По запись № ${cp.id} включительно в журнале ${count(have, ...WORDS.entry)}, а контрольная точка от ${at} насчитывает ${count(cp.count, ...WORDS.entry)}: журнал переписан.`,
        });
      }
    } else if (seen.purge && cp.id <= seen.purge.throughId) {
      purgedSince++;
      if (cp.count > seen.purge.purgedTotal) {
        note({
          code: "oldest_deleted",
          entryId: cp.id,
          missing: cp.count - seen.purge.purgedTotal,
          detail: `Контрольная точка от ${at} насчитывает ${count(cp.count, ...WORDS.entry)} по запись № ${cp.id} включительно, а очищено по сроку хранения всего ${seen.purge.purgedTotal}: остальные удалены помимо очистки.`,
        });
      }
    } else if (!seen.head || cp.id > seen.head.id) {
      const end = seen.head ? `кончается записью № ${seen.head.id}` : "пуст";
      note({
        code: "newest_deleted",
        entryId: cp.id,
        missing,
        detail: `Удалены последние записи журнала: контрольная точка от ${at} подтверждает запись № ${cp.id} (всего записей ${cp.count}), а журнал ${end}; не хватает ${entriesGen(missing)}.`,
      });
    } else {
      note({
        code: "entry_deleted",
        entryId: cp.id,
        missing,
        detail: `Удалена запись № ${cp.id}, которую подтверждает контрольная точка от ${at}: по неё включительно не хватает ${entriesGen(missing)}.`,
      });
    }
  }
  return { problems: [...worst.values()], purgedSince };
}
