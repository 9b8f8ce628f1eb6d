// The registry's part of the retention purge: requests resolved long ago lose their applicant's data (contacts,
// texts, files); dates, channel, category and rating stay for statistics. The channels purge their own rows of the
// same requests (src/retention/).
import { type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { rowsOf } from "../../db/outbox.ts";

export const PURGED_TEXT = "[удалено по истечении срока хранения]";

/** Blanks what is personal on requests resolved or closed before `cutoff`; returns their ids and the files to remove. */
export async function purgePersonalData(tx: Tx, cutoff: Date): Promise<{ ids: number[]; files: string[] }> {
  const ids = rowsOf<{ id: number }>(
    await tx.execute(sql`
      update requests set contact_name = null, contact_email = null, contact_phone = null,
        contact_email_hash = null, contact_phone_hash = null, contact_name_hash = null, tracking_sealed = null,
        subject = '', rating_comment = null, search = null, region = region
      where coalesce(closed_at, resolved_at) < ${cutoff} and status in ('resolved', 'closed')
        and (contact_name is not null or contact_email is not null or contact_phone is not null
             or contact_email_hash is not null or contact_phone_hash is not null or contact_name_hash is not null
             or tracking_sealed is not null
             or subject <> ''
             or rating_comment is not null
             or exists (select 1 from messages m where m.request_id = requests.id and m.body <> ${PURGED_TEXT}))
      returning id`),
  ).map((r) => Number(r.id));
  if (ids.length === 0) return { ids, files: [] };
  const idList = idListSql(ids);
  await tx.execute(sql`update messages set body = ${PURGED_TEXT} where request_id in (${idList})`);
  await tx.execute(
    sql`update request_history set changes = changes - 'comment' - 'reason' where request_id in (${idList})`,
  );
  const files = rowsOf<{ id: string }>(
    await tx.execute(sql`delete from attachments where request_id in (${idList}) returning id`),
  ).map((r) => r.id);
  return { ids, files };
}

export function idListSql(ids: number[]): SQL {
  return sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
}
