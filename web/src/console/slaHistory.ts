// History sentences for the routing and SLA actions (escalation steps, assignment, incidents, re-checks).
import { PRIORITY_TITLES } from "../labels.ts";

const RULES: Record<string, string> = {
  notify_assignee: "напоминание исполнителю",
  notify_supervisors: "сообщено руководителям",
  raise_priority: "повышен приоритет",
  move_up: "передано на следующий уровень",
};
const TRIGGERS: Record<string, string> = { first_response: "первого ответа", resolution: "решения" };

export function describeSlaHistory(
  action: string,
  c: Record<string, unknown>,
  staffName: (id: unknown) => string,
  deptName: (code: unknown) => string,
): string[] | null {
  switch (action) {
    case "sla_escalated": {
      const lines = [
        `Просрочен срок ${TRIGGERS[String(c.trigger)] ?? c.trigger}: ${RULES[String(c.rule)] ?? c.rule} (шаг ${c.level})`,
      ];
      const pr = Array.isArray(c.priority) ? c.priority : null;
      if (pr) lines.push(`Приоритет: ${PRIORITY_TITLES[pr[0]] ?? pr[0]} → ${PRIORITY_TITLES[pr[1]] ?? pr[1]}`);
      if (Array.isArray(c.department)) lines.push(`Подразделение: ${deptName(c.department[1])}`);
      if (Array.isArray(c.notified) && c.notified.length)
        lines.push(`Уведомлены: ${c.notified.map(staffName).join(", ")}`);
      return lines;
    }
    case "assigned":
      return [`Назначено автоматически: ${staffName(Array.isArray(c.assigneeId) ? c.assigneeId[1] : c.assigneeId)}`];
    case "returned":
      return ["Возвращено на первую линию"];
    case "asked":
      return ["Запрошены сведения у заявителя (отсчёт сроков остановлен)"];
    case "recheck_set":
      return [c.recheckOn ? `Контрольный срок повторной проверки: ${c.recheckOn}` : "Контрольный срок снят"];
    case "recheck_due":
      return ["Наступил контрольный срок повторной проверки"];
    case "incident_linked":
      return [`Связано с известным сбоем №${c.incidentId}; заявителю сообщено время восстановления`];
    case "incident_updated":
      return [`Сбой №${c.incidentId}: заявителю сообщено новое время восстановления`];
    case "incident_resolved":
      return [`Сбой №${c.incidentId} устранён; заявителю отправлено сообщение`];
    default:
      return null;
  }
}
