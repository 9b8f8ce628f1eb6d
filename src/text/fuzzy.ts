// Typo tolerance: «пороль» → «пароль», «пароьл» → «пароль» (a swap of neighbours counts as one edit).

/** Optimal-string-alignment distance (Damerau–Levenshtein without re-editing a substring); stops past `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      }
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[n] as number;
}

const MAX_WORD = 32;

function deletes(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** How many edits a word of this length may carry and still be recognised. Short words get none: «код» ≠ «кот». */
export function allowedEdits(length: number): number {
  if (length < 4) return 0;
  return length < 8 ? 1 : 2;
}

/**
 * A vocabulary that finds known words near an unknown one, by the symmetric-delete method:
 * every known word is filed under itself and each of its one-letter deletions, so a look-up
 * touches a few dozen keys instead of scanning the vocabulary.
 */
export class FuzzyVocabulary {
  private readonly byKey = new Map<string, string[]>();
  private readonly words = new Set<string>();

  add(word: string): void {
    if (this.words.has(word) || word.length < 4) return;
    this.words.add(word);
    for (const key of [word, ...deletes(word)]) {
      const list = this.byKey.get(key);
      if (list) list.push(word);
      else this.byKey.set(key, [word]);
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  get size(): number {
    return this.words.size;
  }

  /** Known words within the allowed distance of `word`, nearest first (ties: the longer common prefix first). */
  nearest(word: string, maxEdits = allowedEdits(word.length)): { word: string; distance: number }[] {
    // Two deletions of an n-letter word are n² keys: past a real word's length, that is an attack, not a typo.
    if (maxEdits <= 0 || word.length > MAX_WORD) return [];
    const keys = new Set<string>([word, ...deletes(word)]);
    if (maxEdits >= 2) for (const d of deletes(word)) for (const dd of deletes(d)) keys.add(dd);
    const seen = new Set<string>();
    const found: { word: string; distance: number }[] = [];
    for (const key of keys) {
      for (const candidate of this.byKey.get(key) ?? []) {
        if (seen.has(candidate) || candidate === word) continue;
        seen.add(candidate);
        const distance = editDistance(word, candidate, maxEdits);
        if (distance <= maxEdits) found.push({ word: candidate, distance });
      }
    }
    return found.sort((x, y) => x.distance - y.distance || commonPrefix(y.word, word) - commonPrefix(x.word, word));
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}
