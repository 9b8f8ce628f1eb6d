// Any table of the dashboards as CSV (UTF-8 with a BOM and semicolons, as Russian Excel opens it) or XLSX.
import ExcelJS from "exceljs";
import type { periodBoard } from "./service.ts";

type Board = Awaited<ReturnType<typeof periodBoard>>;
export type Column = { key: string; title: string };
export type Table = { title: string; columns: Column[]; rows: Record<string, string | number | null>[] };

export const TABLES = [
  "summary",
  "daily",
  "channel",
  "category",
  "audience",
  "region",
  "hour",
  "departments",
  "operators",
  "backlog",
  "calls",
] as const;
export type TableName = (typeof TABLES)[number] | "comments";

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
const counts = (title: string, key: string, rows: { key: string; count: number }[]): Table => ({
  title,
  columns: [
    { key: "key", title: key },
    { key: "count", title: "Обращений" },
  ],
  rows: rows.map((r) => ({ key: r.key, count: r.count })),
});

export function tableOf(board: Board, name: (typeof TABLES)[number]): Table {
  const s = board.summary;
  const p = board.previous;
  switch (name) {
    case "summary": {
      const line = (measure: string, now: number | null, before: number | null) => ({ measure, now, before });
      return {
        title: "Сводка за период",
        columns: [
          { key: "measure", title: "Показатель" },
          { key: "now", title: "Период" },
          { key: "before", title: "Предыдущий период" },
        ],
        rows: [
          line("Обращений", s.created, p.created),
          line("Решено", s.resolved, p.resolved),
          line("Первый ответ, медиана, мин", s.firstResponse.median, p.firstResponse.median),
          line("Первый ответ, 90-й процентиль, мин", s.firstResponse.p90, p.firstResponse.p90),
          line("Решение, медиана, мин", s.resolution.median, p.resolution.median),
          line("Решение, 90-й процентиль, мин", s.resolution.p90, p.resolution.p90),
          line("Первый ответ в срок, %", pct(s.sla.firstResponse), pct(p.sla.firstResponse)),
          line("Решение в срок, %", pct(s.sla.resolution), pct(p.sla.resolution)),
          line("Оценок", s.rating.count, p.rating.count),
          line("Средняя оценка", s.rating.average, p.rating.average),
          line("Решено при первом обращении, %", pct(board.escalation.firstContactResolution), null),
          line("Передано в подразделения, %", pct(board.escalation.escalationRate), null),
        ],
      };
    }
    case "daily":
      return {
        title: "По дням",
        columns: [
          { key: "day", title: "День" },
          { key: "created", title: "Поступило" },
          { key: "resolved", title: "Решено" },
        ],
        rows: board.daily.map((d) => ({ day: d.day, created: d.created, resolved: d.resolved })),
      };
    case "channel":
      return counts("По каналам", "Канал", board.volume.channel);
    case "category":
      return counts("По категориям", "Категория", board.volume.category);
    case "audience":
      return counts("По типам заявителей", "Заявитель", board.volume.audience);
    case "hour":
      return counts(
        "По часам (московское время)",
        "Час",
        board.volume.hour.map((count, h) => ({ key: String(h).padStart(2, "0"), count })),
      );
    case "region":
      return {
        title: "По регионам",
        columns: [
          { key: "region", title: "Регион" },
          { key: "created", title: "Поступило" },
          { key: "resolved", title: "Решено" },
          { key: "resolutionMedian", title: "Решение, медиана, мин" },
          { key: "slaResolution", title: "Решение в срок, %" },
          { key: "ratingAverage", title: "Средняя оценка" },
        ],
        rows: board.regions.map((r) => ({ ...r, slaResolution: pct(r.slaResolution) })),
      };
    case "departments":
      return {
        title: "Передачи по подразделениям",
        columns: [
          { key: "name", title: "Подразделение" },
          { key: "requests", title: "Обращений" },
          { key: "escalated", title: "Переданных" },
          { key: "escalationRate", title: "Доля переданных, %" },
        ],
        rows: board.escalation.departments.map((d) => ({
          name: d.name,
          requests: d.requests,
          escalated: d.escalated,
          escalationRate: pct(d.escalationRate),
        })),
      };
    case "operators":
      return {
        title: "По сотрудникам",
        columns: [
          { key: "name", title: "Сотрудник" },
          { key: "requests", title: "Обращений" },
          { key: "resolved", title: "Решено" },
          { key: "resolutionMedian", title: "Решение, медиана, мин" },
          { key: "ratingAverage", title: "Средняя оценка" },
        ],
        rows: board.operators.map((o) => ({ ...o })),
      };
    case "backlog": {
      const b = board.backlog;
      return {
        title: "Открытые обращения по возрасту",
        columns: [
          { key: "age", title: "Возраст" },
          { key: "count", title: "Обращений" },
        ],
        rows: [
          { age: "меньше суток", count: b.age.under1d },
          { age: "1–3 дня", count: b.age.d1to3 },
          { age: "3–7 дней", count: b.age.d3to7 },
          { age: "больше недели", count: b.age.over7d },
          { age: "всего", count: b.open },
        ],
      };
    }
    case "calls": {
      const c = board.calls;
      return {
        title: "Звонки",
        columns: [
          { key: "measure", title: "Показатель" },
          { key: "value", title: "Значение" },
        ],
        rows: c
          ? [
              { measure: "Поступило", value: c.offered },
              { measure: "Отвечено", value: c.answered },
              { measure: "Потеряно", value: c.abandoned },
              { measure: "Доля потерянных, %", value: pct(c.abandonRate) },
              { measure: "Среднее время ответа, с", value: c.averageSpeedOfAnswer },
              { measure: "Среднее время разговора, с", value: c.averageHandlingTime },
              { measure: "Уровень обслуживания (20 с), %", value: pct(c.serviceLevel) },
            ]
          : [],
      };
    }
  }
}

function csvCell(v: string | number | null): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? String(v).replace(".", ",") : v;
  // A cell that starts like a formula is quoted and prefixed, so a spreadsheet does not run it.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v !== "number" ? `'${s}` : s;
  return /[";\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvCell(c.title)).join(";")];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c.key] ?? null)).join(";"));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function toXlsx(t: Table): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "Otklik";
  const sheet = book.addWorksheet(t.title.slice(0, 31));
  sheet.columns = t.columns.map((c) => ({ header: c.title, key: c.key, width: Math.max(12, c.title.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  for (const r of t.rows) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}
