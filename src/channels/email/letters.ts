// The staff's views of the e-mail side of a request and of the letters that opened nothing. Addresses are masked
// like the request's contacts (revealed there, with a reason); the raw letter holds them in full, so each download
// of it is recorded in the audit chain. A letter of a request is served only through the request, under its scope.
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/errors.ts";
import { maskEmail } from "../../requests/contact.ts";
import type { StaffUser } from "../../staff/service.ts";
import {
  type InboundRow,
  letterRaw,
  lettersWithoutRequest,
  type OutboundRow,
  requestLetters,
} from "./letters-store.ts";

function inboundView({ duplicateOf, ...r }: InboundRow) {
  // A duplicate's bytes were dropped: the first copy holds them.
  return { ...r, receivedAt: r.receivedAt.toISOString(), from: maskEmail(r.from), rawAvailable: duplicateOf === null };
}

function outboundView(o: OutboundRow) {
  return {
    ...o,
    to: maskEmail(o.to) ?? "",
    createdAt: o.createdAt.toISOString(),
    sentAt: o.sentAt?.toISOString() ?? null,
    failedAt: o.failedAt?.toISOString() ?? null,
  };
}

/** The letters of a request the caller has been found to see. */
export async function lettersOfRequest(ctx: AppContext, requestId: number) {
  const { inbound, outbound } = await requestLetters(ctx.db, requestId);
  return { inbound: inbound.map(inboundView), outbound: outbound.map(outboundView) };
}

/** The letters without a request, masked, for the supervisors' inbox. */
export async function letterInbox(ctx: AppContext, limit: number) {
  return (await lettersWithoutRequest(ctx.db, limit)).map(inboundView);
}

/**
 * The bytes of a received letter, recorded in the audit chain as downloaded by `user`. `request` is the request the
 * caller has been found to see (the letter must be one of its own), or null for a letter without a request.
 */
export async function downloadLetter(
  ctx: AppContext,
  user: StaffUser,
  letterId: number,
  request: { id: number; number: string } | null,
): Promise<Buffer> {
  const letter = await letterRaw(ctx.db, letterId);
  if (!letter || letter.duplicateOf !== null || letter.requestId !== (request?.id ?? null)) {
    throw errors.notFound("letter");
  }
  await ctx.db.transaction((tx) =>
    audit(
      tx,
      request
        ? {
            actorId: user.id,
            action: "email.raw_download",
            subjectType: "request",
            subjectId: request.number,
            details: { letterId },
          }
        : { actorId: user.id, action: "email.raw_download", subjectType: "email", subjectId: String(letterId) },
    ),
  );
  return letter.raw;
}
