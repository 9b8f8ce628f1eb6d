// The automatic letter that tells an applicant the request number and when to expect an answer.
// It is marked automatic (RFC 3834) and threaded to the applicant's letter, and keeps the number in
// the subject so that a reply finds its request.
import type { OutboundMail } from "./mailer.ts";
import type { InboundMessage } from "./parse.ts";
import { formatSubject } from "./subject.ts";
import { replyHeaders } from "./threading.ts";

export type Acknowledgement = {
  number: string;
  dueAt: Date;
  trackingUrl: string;
  /** The time zone deadlines are written in; the seed's service works in Moscow time. */
  timeZone?: string;
};

/** The due time's format by time zone: building an Intl.DateTimeFormat costs far more than using one. */
const dueFormats = new Map<string, Intl.DateTimeFormat>();
function dueFormat(timeZone: string) {
  let format = dueFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("ru-RU", {
      timeZone,
      day: "numeric",
      month: "long",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
    dueFormats.set(timeZone, format);
  }
  return format;
}

export function acknowledgementMail(
  inbound: Pick<InboundMessage, "from" | "subject" | "messageId" | "references">,
  ack: Acknowledgement,
): OutboundMail {
  const due = dueFormat(ack.timeZone ?? "Europe/Moscow").format(ack.dueAt);
  const zoneNote = (ack.timeZone ?? "Europe/Moscow") === "Europe/Moscow" ? " (по московскому времени)" : "";
  const text = [
    "Здравствуйте!",
    "",
    `Ваше обращение зарегистрировано под номером ${ack.number}.`,
    `Мы ответим не позднее ${due}${zoneNote}.`,
    "",
    `Следить за ходом рассмотрения можно по ссылке: ${ack.trackingUrl}`,
    "",
    "Если хотите что-то добавить, ответьте на это письмо, сохранив номер обращения в теме.",
    "",
    "Это письмо отправлено автоматически.",
    "Служба поддержки",
  ].join("\n");
  return {
    to: inbound.from.address,
    subject: formatSubject(inbound.subject, ack.number, { reply: true }),
    text,
    requestNumber: ack.number,
    auto: true,
    ...replyHeaders(inbound),
  };
}
