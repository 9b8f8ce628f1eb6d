import snowball from "snowball-stemmers";
import { isCyrillic, normalize } from "./normalize.ts";

// Snowball's Russian stemmer: пароль / пароля / паролем → «парол». Latin words keep their form
// (they are abbreviations and product names: sms, esia, email), digits too.
const russian = snowball.newStemmer("russian");
const cache = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** The stem of one normalised word (call `normalize` or `tokenize` first). */
export function stem(word: string): string {
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const w = normalize(word);
  const out = isCyrillic(w) ? russian.stem(w) : w;
  // A bounded cache: the vocabulary of support messages is small, but generated text is not.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, out);
  return out;
}
