// The life of a request. Every change of status goes through `assertTransition`; anything else is refused.

export const STATUSES = ["new", "in_progress", "waiting", "escalated", "resolved", "closed"] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_TITLES: Record<Status, string> = {
  new: "Новое",
  in_progress: "В работе",
  waiting: "Ожидает ответа заявителя",
  escalated: "Передано в профильное подразделение",
  resolved: "Решено",
  closed: "Закрыто",
};

const TRANSITIONS: Record<Status, readonly Status[]> = {
  new: ["in_progress", "waiting", "escalated", "resolved", "closed"],
  in_progress: ["waiting", "escalated", "resolved"],
  waiting: ["in_progress", "escalated", "resolved", "closed"],
  escalated: ["in_progress", "waiting", "resolved"],
  // A resolved request reopens when the applicant writes again, or an operator takes it back.
  resolved: ["in_progress", "closed"],
  closed: [],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: Status): readonly Status[] {
  return TRANSITIONS[from];
}

/** Open statuses count towards the backlog and keep their SLA clocks. */
export function isOpen(status: Status): boolean {
  return status !== "resolved" && status !== "closed";
}

/** What a message from the applicant does to the status: it brings the request back to the operators. */
export function statusAfterApplicantMessage(current: Status): Status | null {
  if (current === "waiting" || current === "resolved") return "in_progress";
  return null;
}

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}
