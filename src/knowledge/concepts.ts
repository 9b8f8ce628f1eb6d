import { canonicalStem, isStopWord, tokenize } from "../text/index.ts";
import type { SynonymGroup } from "./synonyms.ts";

// Concept terms are spelled «~id», which no tokenizer can produce, so they never collide with words.
export const conceptTerm = (id: string): string => `~${id}`;

/** Stems of a text with stop words dropped: the sequence both concept matching and indexing work on. */
export function contentStems(text: string): { token: string; stem: string }[] {
  const out: { token: string; stem: string }[] = [];
  for (const token of tokenize(text)) if (!isStopWord(token)) out.push({ token, stem: canonicalStem(token) });
  return out;
}

/** Finds synonym phrases in a stem sequence. */
export class ConceptMatcher {
  private readonly byFirst = new Map<string, { stems: string[]; id: string }[]>();

  constructor(groups: SynonymGroup[]) {
    for (const g of groups) {
      for (const phrase of g.phrases) {
        const stems = contentStems(phrase).map((t) => t.stem);
        const first = stems[0];
        if (first === undefined) continue;
        const list = this.byFirst.get(first) ?? [];
        list.push({ stems, id: g.id });
        this.byFirst.set(first, list);
      }
    }
  }

  /** Concept terms found in the sequence, one per occurrence. */
  match(stems: readonly string[]): string[] {
    return this.occurrences(stems).map((o) => o.term);
  }

  /** Concept occurrences with the positions of the words that make them. */
  occurrences(stems: readonly string[]): { term: string; start: number; length: number }[] {
    const found: { term: string; start: number; length: number }[] = [];
    for (let i = 0; i < stems.length; i++) {
      for (const p of this.byFirst.get(stems[i] as string) ?? []) {
        if (p.stems.every((s, k) => stems[i + k] === s))
          found.push({ term: conceptTerm(p.id), start: i, length: p.stems.length });
      }
    }
    return found;
  }
}
