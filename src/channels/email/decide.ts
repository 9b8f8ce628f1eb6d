// What the registry should do with one parsed letter: open a request, add to an existing one, or only
// keep it. Pure rules with the look-ups injected, so the registry's wiring stays a few lines and every
// rule is tested here without a database.
import type { SenderRateLimiter } from "./autoreply.ts";
import type { InboundMessage } from "./parse.ts";
import { findRequestNumberInText } from "./subject.ts";
import { requestNumberFromMessageIds } from "./threading.ts";

export type ThreadSource = "message_id" | "known_message_id" | "subject" | "text" | "address";

export type InboundDecision =
  /** A letter about an existing request: add it as a public message (and reopen, if the registry does). */
  | {
      kind: "reply";
      requestNumber: string;
      via: ThreadSource;
      automatic: boolean;
      /**
       * Whether the letter comes from the applicant's own address (present when `applicantAddress` is
       * given). A stranger who knows a number must not read or steer someone else's request: the
       * registry adds such a letter for an operator to check instead of treating it as the applicant's.
       */
      senderIsApplicant?: boolean;
    }
  /** A new request. `acknowledge` says whether to send the automatic letter with number and deadline. */
  | {
      kind: "new";
      acknowledge: boolean;
      noAcknowledgementBecause?: "no_sender" | "rate_limited" | "sender_declined";
    }
  /** Keep the raw letter for the record, open nothing: machines and our own echoes. */
  | { kind: "keep_only"; reason: string };

export type DecideOptions = {
  /** Our domain, as used by makeMessageId. */
  domain: string;
  isValidNumber: (number: string) => boolean;
  /** Finds the request that already holds one of these Message-IDs (the citizen's earlier letters). */
  findByMessageId?: (ids: string[]) => Promise<string | undefined>;
  /** Whether that request exists; a number a citizen typed may be mistyped yet pass the check digit. */
  requestExists?: (number: string) => Promise<boolean>;
  /** The applicant's e-mail address of a request, to compare with the sender of a reply. */
  applicantAddress?: (number: string) => Promise<string | undefined>;
  /** Bounds automatic acknowledgements per sender. */
  acknowledgements?: SenderRateLimiter;
  /** RCPT TO of the SMTP envelope: a plus-address in Bcc appears only there. */
  envelopeRecipients?: string[];
};

export async function decideInbound(message: InboundMessage, options: DecideOptions): Promise<InboundDecision> {
  const thread = await findThread(message, options);
  if (thread) {
    const applicant = options.applicantAddress ? await options.applicantAddress(thread.requestNumber) : undefined;
    return {
      kind: "reply",
      ...thread,
      automatic: message.autoReply,
      ...(options.applicantAddress
        ? { senderIsApplicant: Boolean(applicant) && applicant?.toLowerCase() === message.from.address }
        : {}),
    };
  }
  if (message.autoReply) return { kind: "keep_only", reason: message.autoReplyReason ?? "automatic letter" };
  if (!message.from.address) return { kind: "new", acknowledge: false, noAcknowledgementBecause: "no_sender" };
  if (message.flags.includes("auto_response_suppressed")) {
    return { kind: "new", acknowledge: false, noAcknowledgementBecause: "sender_declined" };
  }
  if (options.acknowledgements && !options.acknowledgements.allow(message.from.address)) {
    return { kind: "new", acknowledge: false, noAcknowledgementBecause: "rate_limited" };
  }
  return { kind: "new", acknowledge: true };
}

async function findThread(
  message: InboundMessage,
  options: DecideOptions,
): Promise<{ requestNumber: string; via: ThreadSource } | undefined> {
  const ids = [
    ...message.references,
    ...(message.inReplyTo ? [message.inReplyTo] : []),
    ...(message.bounceOf ? [message.bounceOf] : []),
  ];
  const exists = options.requestExists ?? (async () => true);

  // Our own Message-IDs are the strongest evidence: the citizen's client copied them, not the citizen.
  const fromIds = requestNumberFromMessageIds(ids, options.domain, options.isValidNumber);
  if (fromIds && (await exists(fromIds))) return { requestNumber: fromIds, via: "message_id" };
  if (ids.length && options.findByMessageId) {
    const known = await options.findByMessageId(ids);
    if (known) return { requestNumber: known, via: "known_message_id" };
  }
  const fromSubject = message.requestNumberFromSubject;
  if (fromSubject && options.isValidNumber(fromSubject) && (await exists(fromSubject))) {
    return { requestNumber: fromSubject, via: "subject" };
  }
  // The seed asks citizens to write the request number in the letter; only its new text is read, not quotes.
  const fromText = findRequestNumberInText(message.text, options.isValidNumber);
  if (fromText && (await exists(fromText))) return { requestNumber: fromText, via: "text" };
  for (const address of [...(options.envelopeRecipients ?? []), ...message.to]) {
    const plus = /^[^+@]+\+(\d{6,12})@/.exec(address)?.[1];
    if (plus && options.isValidNumber(plus) && (await exists(plus))) return { requestNumber: plus, via: "address" };
  }
  return undefined;
}
