// What the applicant reads: the letters and the texts of the notification policy. Pure: the adapters give the
// request's number, its due time, the links and the message, and send what comes back. Due times are written in
// Moscow time and say so, wherever the applicant is.
import { displayRequestNumber, MOSCOW_LABEL, moscowDateTime, moscowDeadline } from "../text/display.ts";
import type { NewsKind } from "./policy.ts";

/** «6 декабря в 22:00 по московскому времени» (the year only when it is not this one). */
export const moscowTime = (at: Date) => `${moscowDateTime(at)} ${MOSCOW_LABEL}`;

export type NoticeFacts = {
  number: string;
  /** The tracking page, when the request still has its link. */
  trackingUrl: string | undefined;
  /** The answer's due time (for the acknowledgement). */
  dueAt?: Date | null | undefined;
  /** The words of the service that came with the news (an answer, a question, an incident's notice). */
  message?: string | undefined;
  /** The request it was merged into (for `merged`). */
  into?: string | undefined;
};

/** A letter of the policy to an applicant who wrote through the form, the chat or by phone. */
export function noticeLetter(news: NewsKind, facts: NoticeFacts, unsubscribeUrl: string): string {
  const f = { ...facts, number: displayRequestNumber(facts.number) };
  const into = facts.into ? displayRequestNumber(facts.into) : "";
  const track = f.trackingUrl ? [`Страница обращения: ${f.trackingUrl}`] : [];
  const said = f.message ? [f.message, ""] : [];
  const body: Record<NewsKind, string[]> = {
    registered: [
      `Ваше обращение зарегистрировано под номером ${f.number}.`,
      ...(f.dueAt ? [`Мы ответим не позже ${moscowDeadline(f.dueAt)}.`] : []),
      "",
      ...(f.trackingUrl
        ? [`Следить за ходом рассмотрения и дополнить обращение можно на его странице: ${f.trackingUrl}`]
        : []),
    ],
    reply: [`Ответ по обращению № ${f.number}:`, "", ...said, ...track],
    asked: [
      `Чтобы продолжить работу по обращению № ${f.number}, нам нужны уточнения:`,
      "",
      ...said,
      f.trackingUrl
        ? `Ответьте на странице обращения: ${f.trackingUrl} — или ответом на это письмо, сохранив номер в теме.`
        : "Ответьте на это письмо, сохранив номер обращения в теме.",
    ],
    escalated: [`Ваше обращение № ${f.number} передано в профильное подразделение.`, "", ...track],
    incident: [`Новости по обращению № ${f.number}:`, "", ...said, ...track],
    incident_resolved: [`Сбой, о котором вы сообщили в обращении № ${f.number}, устранён.`, "", ...said, ...track],
    resolved: [
      `Ваше обращение № ${f.number} решено.`,
      "",
      ...said,
      f.trackingUrl
        ? `Пожалуйста, оцените работу службы поддержки (от 1 до 5) на странице обращения: ${f.trackingUrl}`
        : "Пожалуйста, оцените работу службы поддержки на странице обращения.",
      "",
      "Если вопрос не решён, ответьте на это письмо: обращение откроется снова.",
    ],
    merged: into
      ? [
          `Ваше обращение № ${f.number} объединено с обращением № ${into}: они об одном и том же вопросе.`,
          `Ответ придёт по обращению № ${into}, вся переписка теперь в нём.`,
          "",
          ...(f.trackingUrl ? [`Ход рассмотрения: ${f.trackingUrl}`] : []),
        ]
      : [
          `Ваше обращение № ${f.number} объединено с другим обращением о том же вопросе: ответ придёт по нему.`,
          "",
          ...(f.trackingUrl ? [`Ход рассмотрения: ${f.trackingUrl}`] : []),
        ],
  };
  return [
    "Здравствуйте!",
    "",
    ...body[news],
    "",
    "Служба поддержки",
    "",
    "--",
    "Это письмо отправлено автоматически.",
    `Чтобы получать только письма о регистрации и решении обращений: ${unsubscribeUrl}`,
  ].join("\n");
}

/** The subject line's words before the number tag (the tag is added by the e-mail room). */
export const NOTICE_SUBJECT: Record<NewsKind, string> = {
  registered: "Обращение зарегистрировано",
  reply: "Ответ на обращение",
  asked: "Нужны уточнения по обращению",
  escalated: "Обращение передано в подразделение",
  incident: "Новости по обращению",
  incident_resolved: "Сбой устранён",
  resolved: "Обращение решено",
  merged: "Обращение объединено с другим",
};

/** The text of an SMS: the number and the link, never the words of an answer (a text is not a private place). */
export function smsText(news: NewsKind, facts: NoticeFacts): string {
  const f = { ...facts, number: displayRequestNumber(facts.number) };
  const link = f.trackingUrl ? ` ${f.trackingUrl}` : "";
  switch (news) {
    case "registered":
      // The first text says how to stop the others (the gateway forwards the reply, see inbound.ts).
      return `Обращение № ${f.number} зарегистрировано.${f.dueAt ? ` Ответим до ${moscowTime(f.dueAt)}.` : ""}${link} Отказаться от остальных СМС: ответьте СТОП.`;
    case "reply":
      return `Ответ по обращению № ${f.number}:${link || " на странице обращения."}`;
    case "asked":
      return `По обращению № ${f.number} нужны уточнения:${link || " на странице обращения."}`;
    case "escalated":
      return `Обращение № ${f.number} передано в профильное подразделение.${link}`;
    case "incident":
      return `Новости по обращению № ${f.number}.${link}`;
    case "incident_resolved":
      return `Сбой по обращению № ${f.number} устранён.${link}`;
    case "resolved":
      return `Обращение № ${f.number} решено. Оцените ответ:${link || " на странице обращения."}`;
    case "merged":
      return facts.into
        ? `Обращение № ${f.number} объединено с № ${displayRequestNumber(facts.into)}.${link}`
        : `Обращение № ${f.number} объединено с другим о том же вопросе.${link}`;
  }
}

// The GSM 03.38 alphabet: a text entirely in it travels 7 bits a character; anything else (Cyrillic) goes as UCS-2.
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

/** How many SMS a text takes: 160/153 characters per part in GSM-7, 70/67 in UCS-2 (any Cyrillic letter). */
export function smsSegments(text: string): { encoding: "gsm7" | "ucs2"; units: number; segments: number } {
  let gsm = true;
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: "gsm7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  // UCS-2 counts UTF-16 code units: a character outside the basic plane takes two.
  const units = text.length;
  return { encoding: "ucs2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
