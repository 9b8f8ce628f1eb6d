// Latin transliteration as people type it on a phone without Cyrillic: «ne prihodit kod», «parol», «zayavlenie».
// There is no single standard in the wild (GOST, passports, «volapük»), so the table accepts the common spellings.

const MULTI: [string, string][] = [
  ["shch", "щ"],
  ["sch", "щ"],
  ["zh", "ж"],
  ["kh", "х"],
  ["ts", "ц"],
  ["tz", "ц"],
  ["ch", "ч"],
  ["sh", "ш"],
  ["yu", "ю"],
  ["ju", "ю"],
  ["iu", "ю"],
  ["ya", "я"],
  ["ja", "я"],
  ["ia", "я"],
  ["yo", "ё"],
  ["jo", "ё"],
  ["ye", "е"],
  ["je", "е"],
  ["yy", "ый"],
  ["iy", "ий"],
  ["ij", "ий"],
  ["yj", "ый"],
  ["ck", "к"],
  ["ph", "ф"],
];
const SINGLE: Record<string, string> = {
  a: "а",
  b: "б",
  v: "в",
  g: "г",
  d: "д",
  e: "е",
  z: "з",
  i: "и",
  j: "й",
  k: "к",
  l: "л",
  m: "м",
  n: "н",
  o: "о",
  p: "п",
  r: "р",
  s: "с",
  t: "т",
  u: "у",
  f: "ф",
  h: "х",
  c: "ц",
  y: "ы",
  w: "в",
  x: "кс",
  q: "к",
  "'": "ь",
  "`": "ь",
};
const VOWEL = /[аеёиоуыэюя]/;

/** Latin transliteration → Cyrillic, longest rule first. Non-Latin characters pass through. */
export function transliterate(text: string): string {
  const s = text.toLowerCase();
  let out = "";
  let i = 0;
  outer: while (i < s.length) {
    for (const [lat, cyr] of MULTI) {
      if (s.startsWith(lat, i)) {
        out += cyr;
        i += lat.length;
        continue outer;
      }
    }
    const ch = s[i] as string;
    // «y» after a vowel is й (moy, voyti); elsewhere ы (dokumenty).
    if (ch === "y" && VOWEL.test(out.at(-1) ?? "")) out += "й";
    else out += SINGLE[ch] ?? ch;
    i++;
  }
  return out;
}

const BACK: Record<string, string> = {
  а: "a",
  б: "b",
  в: "v",
  г: "g",
  д: "d",
  е: "e",
  ё: "yo",
  ж: "zh",
  з: "z",
  и: "i",
  й: "y",
  к: "k",
  л: "l",
  м: "m",
  н: "n",
  о: "o",
  п: "p",
  р: "r",
  с: "s",
  т: "t",
  у: "u",
  ф: "f",
  х: "kh",
  ц: "ts",
  ч: "ch",
  ш: "sh",
  щ: "shch",
  ъ: "",
  ы: "y",
  ь: "",
  э: "e",
  ю: "yu",
  я: "ya",
};

/** Cyrillic → Latin (passport-style, simplified); used to compare Latin input with Cyrillic words. */
export function cyrillicToLatin(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) out += BACK[ch] ?? ch;
  return out;
}
