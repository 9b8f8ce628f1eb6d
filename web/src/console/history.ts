// Turns history rows into Russian sentences for the request page.
import { displayRequestNumber, formatDateTime } from "../format.ts";
import { CHANNEL_TITLES, PRIORITY_TITLES, STATUS_TITLES, titleOf } from "../labels.ts";
import type { Department, Option, StaffMember } from "./session.ts";
import { describeSlaHistory } from "./slaHistory.ts";

export type HistoryRow = {
  id: number;
  actorType: string;
  actorName: string | null;
  action: string;
  changes: Record<string, unknown> | null;
  createdAt: string;
};

type Lists = { categories: Option[]; audiences: Option[]; departments: Department[]; staff: StaffMember[] };

const pair = (v: unknown): [unknown, unknown] | null => (Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null);

export function actorOf(h: HistoryRow): string {
  if (h.actorType === "applicant") return "Заявитель";
  if (h.actorType === "system") return "Система";
  return h.actorName ?? "Сотрудник";
}

export function describeHistory(h: HistoryRow, lists: Lists): string[] {
  const c = h.changes ?? {};
  const lines: string[] = [];
  const status = pair(c.status);
  const statusLine = status
    ? `статус: ${STATUS_TITLES[String(status[0])] ?? status[0]} → ${STATUS_TITLES[String(status[1])] ?? status[1]}`
    : null;
  const staffName = (id: unknown) =>
    id === null || id === undefined ? "не назначен" : (lists.staff.find((s) => s.id === id)?.name ?? `сотрудник ${id}`);
  const deptName = (code: unknown) =>
    typeof code === "number"
      ? (lists.departments.find((d) => d.id === code)?.name ?? String(code))
      : (lists.departments.find((d) => d.code === code)?.name ?? (code ? String(code) : "—"));
  switch (h.action) {
    case "created":
      lines.push(
        `Обращение зарегистрировано${typeof c.channel === "string" ? ` (${CHANNEL_TITLES[c.channel] ?? c.channel})` : ""}`,
      );
      break;
    case "replied":
      lines.push("Ответ заявителю");
      break;
    case "noted":
      lines.push("Внутренняя заметка");
      break;
    case "applicant_replied":
      lines.push(c.unverified ? "Письмо не с адреса заявителя (заметка)" : "Заявитель написал сообщение");
      break;
    case "email_failed":
      lines.push(`Письмо заявителю не доставлено (код ${String(c.code ?? "—")})`);
      break;
    case "messenger_undeliverable":
      lines.push(
        `Заявитель заблокировал бота в мессенджере «${CHANNEL_TITLES[String(c.channel)] ?? c.channel}»: ответы туда не доходят, пока он не напишет снова`,
      );
      break;
    case "messenger_failed":
      lines.push(
        `Сообщение в мессенджер «${CHANNEL_TITLES[String(c.channel)] ?? c.channel}» не доставлено (код ${String(c.code ?? "—")})`,
      );
      break;
    case "tracking_link_sent":
      lines.push(
        c.via === "phone"
          ? "Заявитель запросил ссылку по номеру обращения: отправлена в СМС"
          : "Заявитель запросил ссылку по номеру обращения: отправлена на почту",
      );
      break;
    case "rated":
      lines.push(`Заявитель оценил обслуживание: ${c.score} из 5`);
      if (typeof c.comment === "string") lines.push(`Комментарий: ${c.comment}`);
      break;
    case "rating_changed": {
      const sc = pair(c.score);
      lines.push(`Заявитель изменил оценку: ${sc ? `${sc[0]} → ${sc[1]}` : c.score} из 5`);
      if (typeof c.comment === "string") lines.push(`Комментарий: ${c.comment}`);
      break;
    }
    case "status_changed":
      lines.push("Изменён статус");
      break;
    case "merged":
      lines.push(`Объединено с обращением № ${displayRequestNumber(String(c.into ?? ""))}: переписка перенесена туда`);
      break;
    case "merged_from":
      lines.push(
        `Присоединено обращение № ${displayRequestNumber(String(c.from ?? ""))} (сообщений: ${c.messages ?? 0}, файлов: ${c.files ?? 0})`,
      );
      break;
    case "split":
      lines.push(`Сообщение заявителя выделено в обращение № ${displayRequestNumber(String(c.to ?? ""))}`);
      break;
    case "split_from":
      lines.push(`Выделено из обращения № ${displayRequestNumber(String(c.from ?? ""))}`);
      break;
    case "related":
      lines.push(`Связано с обращением № ${displayRequestNumber(String(c.number ?? ""))}`);
      break;
    case "unrelated":
      lines.push(`Убрана связь с обращением № ${displayRequestNumber(String(c.number ?? ""))}`);
      break;
    case "escalated": {
      const d = pair(c.department);
      lines.push(`Передано в подразделение «${deptName(d ? d[1] : c.departmentId)}»`);
      break;
    }
    case "updated": {
      const cat = pair(c.category);
      if (cat)
        lines.push(
          `Категория: ${titleOf(lists.categories, cat[0] as string)} → ${titleOf(lists.categories, cat[1] as string)}`,
        );
      const aud = pair(c.audience);
      if (aud)
        lines.push(
          `Тип заявителя: ${titleOf(lists.audiences, aud[0] as string)} → ${titleOf(lists.audiences, aud[1] as string)}`,
        );
      const pr = pair(c.priority);
      if (pr)
        lines.push(
          `Приоритет: ${PRIORITY_TITLES[String(pr[0])] ?? pr[0]} → ${PRIORITY_TITLES[String(pr[1])] ?? pr[1]}`,
        );
      const reg = pair(c.region);
      if (reg) lines.push(`Регион: ${reg[0] ?? "—"} → ${reg[1] ?? "—"}`);
      const as = pair(c.assigneeId);
      if (as) lines.push(`Исполнитель: ${staffName(as[0])} → ${staffName(as[1])}`);
      if (lines.length === 0) lines.push("Изменены данные обращения");
      break;
    }
    default:
      lines.push(...(describeSlaHistory(h.action, c, staffName, deptName) ?? [h.action]));
  }
  // A move to a department with other hours, a new category or priority: the due times counted again.
  for (const [key, what] of [
    ["firstResponseDueAt", "Срок первого ответа"],
    ["resolutionDueAt", "Срок решения"],
  ] as const) {
    const due = pair(c[key]);
    if (due && typeof due[0] === "string" && typeof due[1] === "string")
      lines.push(`${what}: ${formatDateTime(due[0])} → ${formatDateTime(due[1])} по московскому времени`);
  }
  if (statusLine && h.action !== "created") lines.push(statusLine);
  if (typeof c.reason === "string" && c.reason) lines.push(`Причина: ${c.reason}`);
  return lines;
}
