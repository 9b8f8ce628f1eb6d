// The knowledge base's answers, as the help centre and the console read them (from the generated API schema).
import type { ResponseOf } from "../api/types.ts";

export type Hit = ResponseOf<"/api/v1/kb/search">[number];
export type Article = ResponseOf<"/api/v1/kb/articles/{slug}">;
export type CategoryGroup = ResponseOf<"/api/v1/kb/categories">[number];
