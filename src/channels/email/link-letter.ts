// The letter that carries a tracking link sent again: the applicant asked for it on the start page by number and
// e-mail (src/applicants/lookup.ts). Queued in the caller's transaction, once per source, and sent by «email.send».
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { groupRequestNumber } from "../../requests/number.ts";
import { emailOutbox } from "./db-schema.ts";
import { SEND_TOPIC } from "./outbound.ts";
import { mailDomainOf } from "./state.ts";
import { formatSubject } from "./subject.ts";
import { makeMessageId } from "./threading.ts";

export type LinkLetter = { source: string; requestId: number; number: string; to: string; trackingUrl: string };

export function trackingLinkText(number: string, trackingUrl: string): string {
  return [
    "Здравствуйте!",
    "",
    `Вы запросили ссылку на обращение № ${groupRequestNumber(number)}. Ход рассмотрения, ответы и переписка — по ссылке:`,
    trackingUrl,
    "",
    "Ссылка открывает обращение без входа на портал: не пересылайте её другим людям.",
    "Если вы не запрашивали ссылку, ничего делать не нужно.",
    "",
    "Это письмо отправлено автоматически.",
    "Служба поддержки",
  ].join("\n");
}

export async function queueTrackingLinkLetter(ctx: AppContext, tx: Tx, letter: LinkLetter): Promise<void> {
  const [row] = await tx
    .insert(emailOutbox)
    .values({
      source: letter.source,
      kind: "link",
      requestId: letter.requestId,
      messageId: makeMessageId(mailDomainOf(ctx), letter.number),
      to: letter.to,
      subject: formatSubject("Ссылка на обращение", letter.number),
      text: trackingLinkText(letter.number, letter.trackingUrl),
      auto: true,
    })
    .onConflictDoNothing({ target: emailOutbox.source })
    .returning({ id: emailOutbox.id });
  if (row) await emit(tx, SEND_TOPIC, { outboxId: row.id });
}
