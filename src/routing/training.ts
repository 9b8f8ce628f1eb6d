// Retraining the classifier from what operators corrected: the shipped training set plus every request whose
// category a person set, with the applicant's first message as the text.
import { desc, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { isCategoryCode } from "../requests/categories.ts";
import { type Example, loadModel, type Model, serializeModel, trainInBackground } from "./classifier.ts";
import { classifierModels } from "./db-schema.ts";

export async function operatorCorrections(db: Queryable): Promise<Example[]> {
  const result = await db.execute<{ text: string; category: string }>(sql`
    select r.category, (select m.body from messages m
                        where m.request_id = r.id and m.author_type = 'applicant' order by m.id limit 1) as text
    from requests r where r.category_source = 'operator' and r.category is not null
    order by r.id`);
  // A category since withdrawn from the list has no class in the model: such a correction teaches nothing.
  return rowsOf<{ text: string | null; category: string }>(result).flatMap((r) =>
    r.text && isCategoryCode(r.category) ? [{ text: r.text, category: r.category }] : [],
  );
}

export async function retrain(db: Queryable, userId: number | null) {
  const corrections = await operatorCorrections(db);
  const model = await trainInBackground(corrections);
  const [row] = await db
    .insert(classifierModels)
    .values({ createdBy: userId, corrections: corrections.length, model: serializeModel(model) })
    .returning({ id: classifierModels.id, createdAt: classifierModels.createdAt });
  return { id: row!.id, createdAt: row!.createdAt, corrections: corrections.length, model };
}

export async function latestStoredModel(
  db: Queryable,
): Promise<{ id: number; model: Model; corrections: number } | null> {
  const [row] = await db.select().from(classifierModels).orderBy(desc(classifierModels.id)).limit(1);
  return row ? { id: row.id, model: loadModel(row.model), corrections: row.corrections } : null;
}
