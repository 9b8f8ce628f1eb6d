// Tracking links sent again: an applicant who lost theirs asks by number and contact (src/applicants/lookup.ts), and
// a fresh link is issued beside the first one, which keeps working (it may be quoted in letters and chats).
import type { Tx } from "../../db/client.ts";
import { sha256 } from "../../security/tokens.ts";
import { trackingTokens } from "../schema.ts";
import { type Actor, lockRequest, writeHistory } from "./row.ts";

/**
 * Records `token` as a link to the request, once per `source`, with a history row saying by which means it went
 * (never to which address). Returns false when the source had issued its link already (a job run again).
 */
export async function issueTrackingLink(
  tx: Tx,
  requestId: number,
  token: string,
  source: string,
  via: "email" | "phone",
  actor: Actor,
): Promise<boolean> {
  const row = await lockRequest(tx, requestId);
  const inserted = await tx
    .insert(trackingTokens)
    .values({ tokenHash: sha256(token), requestId, source })
    .onConflictDoNothing()
    .returning({ source: trackingTokens.source });
  if (inserted.length === 0) return false;
  await writeHistory(tx, row, actor, "tracking_link_sent", { via });
  return true;
}
