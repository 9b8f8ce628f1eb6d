// An article as the editor holds it while it is being written: lists as comma-separated text, and back.
import type { BodyOf } from "../api/types.ts";
import type { Article } from "../help/types.ts";

export type Draft = {
  slug: string;
  title: string;
  summary: string;
  category: string;
  audience: string[];
  tags: string;
  synonyms: string;
  visibility: "public" | "internal";
  body: string;
};

export const EMPTY: Draft = {
  slug: "",
  title: "",
  summary: "",
  category: "information",
  audience: ["citizen"],
  tags: "",
  synonyms: "",
  visibility: "public",
  body: "",
};

export const AUDIENCE_TITLES: Record<string, string> = {
  citizen: "граждане",
  legal_entity: "организации",
  entrepreneur: "предприниматели",
};

export const toDraft = (a: Article): Draft => ({
  slug: a.slug,
  title: a.title,
  summary: a.summary,
  category: a.category,
  audience: a.audience,
  tags: a.tags.join(", "),
  synonyms: (a.synonyms ?? []).join(", "),
  visibility: a.visibility === "internal" ? "internal" : "public",
  body: a.body,
});

const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The article's fields as PUT /api/v1/kb/articles/{slug} takes them (the codes come from the server's lists). */
export const payload = (d: Draft) =>
  ({
    title: d.title,
    summary: d.summary,
    category: d.category,
    audience: d.audience,
    tags: splitList(d.tags),
    synonyms: splitList(d.synonyms),
    visibility: d.visibility,
    body: d.body,
  }) as BodyOf<"/api/v1/kb/articles/{slug}", "put">;
