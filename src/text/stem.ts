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

// Forms a suffix stemmer cannot join: suppletive past tenses (пришло / приходит, вошёл / войти) and
// aspect pairs (восстанавливать / восстановить). Only verbs applicants use about support matter here.
// Kept apart from `stem` so that models trained on plain stems keep their features.
const ALIASES: Record<string, string[]> = {
  приход: ["пришл", "пришел", "придет", "прид"],
  вход: ["войт", "вошл", "вошел", "войд"],
  заход: ["зайт", "зашл", "зашел", "зайд"],
  найт: ["нашл", "нашел", "найд"],
  присыла: ["присла"],
  отправ: ["отправля"],
  получ: ["получа"],
  восстанов: ["восстанавлива"],
  загруз: ["загружа", "загрузк"],
  удал: ["удаля"],
  заполн: ["заполня"],
  откр: ["открыва"],
  подтверд: ["подтвержда", "подтвержден"],
  проход: ["прошл", "прошел", "пройд", "пройт"],
  измен: ["изменя"],
  смен: ["поменя"],
  пода: ["подава"],
  ответ: ["отвеча"],
  дополн: ["дополнительн"],
  жалова: ["пожалова"],
  прикреп: ["прикрепля"],
  идентификац: ["идентифицирова", "идентифицир"],
  разблокир: ["разблокировк", "разблокирова"],
};
const aliasOf = new Map<string, string>();
for (const [canonical, forms] of Object.entries(ALIASES)) for (const f of forms) aliasOf.set(f, canonical);

/** One stem for the forms above; any other stem unchanged. */
export const unifyStem = (s: string): string => aliasOf.get(s) ?? s;

// Words whose stem would merge them with an unrelated word: «лично» (in person) is not «личный» (personal).
const KEEP_WHOLE = new Set(["лично"]);

/** `stem`, then `unifyStem`: for search, where пришло and приходит must meet. */
export function canonicalStem(word: string): string {
  if (KEEP_WHOLE.has(word)) return word;
  // Snowball cuts «подпись», «запись» to «подп», «зап» but «подписи», «записи» to «подпис», «запис».
  if (word.endsWith("пись")) return word.slice(0, -1);
  return unifyStem(stem(word));
}
