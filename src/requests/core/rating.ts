// The applicant's rating of a resolved request: one per request, changed only on purpose (`replace`), every version
// kept in the history with its comment.
import type { Tx } from "../../db/client.ts";
import { errors } from "../../http/errors.ts";
import type { RequestRow } from "./ports.ts";
import { APPLICANT, applyPatch, lockRequest, writeHistory } from "./row.ts";

export async function rate(
  tx: Tx,
  requestId: number,
  score: number,
  comment: string | undefined,
  opts: { replace?: boolean } = {},
): Promise<RequestRow> {
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    throw errors.validation("Оценка — целое число от 1 до 5.", { field: "score" });
  }
  const text = comment?.trim().slice(0, 2000) || null;
  const row = await lockRequest(tx, requestId);
  // A merged duplicate is closed without having been resolved: its rating would count a verdict on no answer.
  if (row.mergedIntoId !== null) {
    throw errors.conflict(
      "request_merged",
      "Обращение объединено с другим: оценить можно то обращение, в котором дан ответ.",
    );
  }
  if (row.status !== "resolved" && row.status !== "closed") {
    throw errors.conflict("not_resolved", "Оценить можно после того, как обращение решено.");
  }
  if (row.rating !== null && !opts.replace) {
    throw errors.conflict(
      "already_rated",
      `Обращение уже оценено: ${row.rating} из 5. Чтобы поменять оценку, нажмите «Изменить оценку».`,
      { score: row.rating },
    );
  }
  if (row.rating === score && row.ratingComment === text) return row;
  const after = await applyPatch(tx, row, { rating: score, ratingComment: text, ratedAt: new Date() });
  const said = text ? { comment: text } : {};
  if (row.rating === null) await writeHistory(tx, after, APPLICANT, "rated", { score, ...said });
  else await writeHistory(tx, after, APPLICANT, "rating_changed", { score: [row.rating, score], ...said });
  return after;
}
