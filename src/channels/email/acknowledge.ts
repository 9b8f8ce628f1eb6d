// The automatic letter that tells an applicant the request number and when to expect an answer, written as the
// other channels' letters write them (the number in groups, the deadline in Moscow time with its weekday). It is
// marked automatic (RFC 3834) and threaded to the applicant's letter, and keeps the number's digits in the subject so
// that a reply finds its request.
import { displayRequestNumber, moscowDeadline } from "../../text/display.ts";
import type { OutboundMail } from "./mailer.ts";
import type { InboundMessage } from "./parse.ts";
import { formatSubject } from "./subject.ts";
import { replyHeaders } from "./threading.ts";

export type Acknowledgement = {
  number: string;
  dueAt: Date;
  trackingUrl: string;
};

export function acknowledgementMail(
  inbound: Pick<InboundMessage, "from" | "subject" | "messageId" | "references">,
  ack: Acknowledgement,
): OutboundMail {
  const text = [
    "Здравствуйте!",
    "",
    `Ваше обращение зарегистрировано под номером ${displayRequestNumber(ack.number)}.`,
    `Мы ответим не позже ${moscowDeadline(ack.dueAt)}.`,
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
