// The knowledge base's answers, as the help centre and the console read them.
export type Hit = { slug: string; title: string; score: number; snippet: string; category: string };

export type Article = {
  slug: string;
  title: string;
  summary: string;
  category: string;
  categoryTitle: string;
  audience: string[];
  tags: string[];
  body: string;
  updatedAt: string;
  // Staff only:
  synonyms?: string[];
  status?: "draft" | "published";
  visibility?: "public" | "internal";
  version?: number;
  updatedBy?: string | null;
  answer?: string;
  helpful?: { yes: number; no: number };
};

export type CategoryGroup = {
  code: string;
  title: string;
  articles: { slug: string; title: string; summary: string }[];
};
