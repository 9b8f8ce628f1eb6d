// One request as the console reads it: its detail, and everything read beside it (SLA clock, letters, templates)
// refreshed together when the request changes — live, or after an action on this page.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Attachment } from "../Conversation.tsx";
import type { HistoryRow } from "./history.ts";

/**
 * The request as GET /api/v1/requests/{number} answers it. Its response schema (RequestDetail in
 * src/requests/schemas.ts) declares only number, status and allowedStatuses and leaves the rest open, so the
 * generated types cannot give these fields yet; once the route declares them, this becomes ResponseOf<…>.
 */
export type Detail = {
  number: string;
  subject: string;
  category: string | null;
  categoryConfidence: number | null;
  categorySource: string | null;
  audience: string;
  region: string | null;
  channel: string;
  priority: string;
  status: string;
  allowedStatuses: ("new" | "in_progress" | "waiting" | "escalated" | "resolved" | "closed")[];
  department: string | null;
  assignee: { id: number; name: string } | null;
  contact: { name: string | null; email: string | null; phone: string | null };
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  rating: number | null;
  ratingComment: string | null;
  createdAt: string;
  messages: {
    id: number;
    visibility: "public" | "note";
    authorType: string;
    authorName: string | null;
    body: string;
    channel: string | null;
    createdAt: string;
    attachments: Attachment[];
  }[];
  history: HistoryRow[];
  /** The same applicant's other requests from every channel, within the employee's scope. */
  applicantRequests: ApplicantRequest[];
  /** The request this one was merged into (its number leads there), the duplicates merged into this one. */
  mergedInto: string | null;
  mergedFrom: string[];
  /** Related requests, linked both ways, within the employee's scope. */
  related: { number: string; subject: string; status: string }[];
};

export type ApplicantRequest = { number: string; subject: string; status: string; channel: string; createdAt: string };

/** Marks every query about one request stale (the visible ones read again). */
export function useRefreshRequest(number: string): () => Promise<void> {
  const queries = useQueryClient();
  return useCallback(
    () =>
      queries.invalidateQueries({
        predicate: ({ queryKey }) =>
          String(queryKey[1]).startsWith("/api/v1/requests/{number}") &&
          (queryKey[2] as { params?: { path?: { number?: string } } } | undefined)?.params?.path?.number === number,
      }),
    [queries, number],
  );
}
