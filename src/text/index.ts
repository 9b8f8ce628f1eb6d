// Russian text normalisation shared by the knowledge-base search and the request classifier.

export { analyze, type Term } from "./analyze.ts";
export { readEnglish } from "./english.ts";
export { allowedEdits, editDistance, FuzzyVocabulary } from "./fuzzy.ts";
export { fixLayout, looksLikeWrongLayout, toCyrillicLayout, toLatinLayout } from "./layout.ts";
export {
  isCyrillic,
  isLatin,
  isStopWord,
  normalize,
  STOP_WORDS,
  tokenize,
  tokenizeWithOffsets,
} from "./normalize.ts";
export { canonicalStem, stem, unifyStem } from "./stem.ts";
export { cyrillicToLatin, transliterate } from "./translit.ts";
