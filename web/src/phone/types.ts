// The shapes the phone API answers with, as the console uses them. Kept here, not generated: the call screen,
// the verification and the wallboard routes leave their response schemas open (additionalProperties).
export type ChecklistItem = {
  code: string;
  title: string;
  kind: "confirm" | "text" | "phone" | "identifier" | "digits" | "info";
  required: boolean;
  /** Compared with the portal account on the server (otherwise checked as typed). */
  registry: boolean;
};

export type PortalAccount = {
  id: string;
  fullName: string;
  phone: string | null;
  snilsMasked: string | null;
  locked: boolean;
};

export type CallScreen = {
  call: {
    id: number;
    state: "ringing" | "answered" | "ended" | "abandoned";
    direction: string;
    queue: string | null;
    startedAt: string;
    answeredAt: string | null;
    endedAt: string | null;
    answeredBy: number | null;
    continued: boolean;
  };
  caller: { phone: string | null; name: string | null };
  line: { id: string; title: string; number: string; purpose: string; topics: string[] } | null;
  topic: string | null;
  audience: string;
  request: { number: string; subject: string; status: string } | null;
  openRequests: Array<{ number: string; subject: string; status: string; category: string | null; createdAt: string }>;
  /** The caller's requests from other channels and their closed ones: the applicant record joins their contacts. */
  applicantRequests: Array<{ number: string; subject: string; status: string; channel: string; createdAt: string }>;
  recentCalls: Array<{
    id: number;
    startedAt: string;
    state: string;
    direction: string;
    seconds: number;
    requestNumber: string | null;
  }>;
  checklist: ChecklistItem[];
  verification: {
    passed: boolean;
    items: Record<string, string>;
    at: string;
    by: string;
    /** The portal account the caller's answers held against: the one account actions may touch. */
    accountId: string | null;
  } | null;
};

export type PhoneEvent = { callId: number; event: string; state: string; userId: number | null; queue: string | null };

export const CALL_STATES: Record<string, string> = {
  ringing: "звонит",
  answered: "идёт разговор",
  ended: "завершён",
  abandoned: "сброшен до ответа",
};

/** Who is calling, for a heading: «Звонок: Ольга Смирнова», «Звонок с неизвестного номера», «… со скрытого номера». */
export function callerTitle(caller: { name: string | null; phone: string | null }): string {
  if (caller.name) return `Звонок: ${caller.name}`;
  return caller.phone ? "Звонок с неизвестного номера" : "Звонок со скрытого номера";
}
