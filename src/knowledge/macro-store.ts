// Macros as staff keep them: a template and the changes that go with it (src/knowledge/template-service.ts applies
// them). A macro whose template was deleted keeps its other changes.
import { asc, eq } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { kbMacros } from "./db-schema.ts";

export type Macro = typeof kbMacros.$inferSelect;
export type MacroInput = {
  title: string;
  templateId: number | null;
  visibility: "public" | "note";
  status: string | null;
  category: string | null;
  assign: "self" | "nobody" | null;
};

export const listMacros = (db: Queryable) => db.select().from(kbMacros).orderBy(asc(kbMacros.title));

export async function readMacro(db: Queryable, id: number): Promise<Macro | null> {
  const [r] = await db.select().from(kbMacros).where(eq(kbMacros.id, id));
  return r ?? null;
}

export async function insertMacro(db: Queryable, m: MacroInput, userId: number): Promise<Macro> {
  const [r] = await db
    .insert(kbMacros)
    .values({ ...m, updatedBy: userId })
    .returning();
  return r!;
}

export async function updateMacro(db: Queryable, id: number, m: MacroInput, userId: number): Promise<Macro | null> {
  const [r] = await db
    .update(kbMacros)
    .set({ ...m, updatedBy: userId, updatedAt: new Date() })
    .where(eq(kbMacros.id, id))
    .returning();
  return r ?? null;
}

export async function deleteMacro(db: Queryable, id: number): Promise<boolean> {
  const r = await db.delete(kbMacros).where(eq(kbMacros.id, id)).returning({ id: kbMacros.id });
  return r.length > 0;
}
