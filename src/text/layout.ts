// A wrong keyboard layout: «gfhjkm» is «пароль» typed with the Latin layout on, «ыьы» is «sms» the other way.
// The map is the standard Russian ЙЦУКЕН over US QWERTY, punctuation keys included (х ъ ж э б ю ё).

const LATIN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.";
const CYRIL = "ёйцукенгшщзхъфывапролджэячсмитьбю";
const LATIN_UPPER = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>';

const toCyr = new Map<string, string>();
const toLat = new Map<string, string>();
for (let i = 0; i < LATIN.length; i++) {
  const l = LATIN[i] as string;
  const c = CYRIL[i] as string;
  toCyr.set(l, c);
  toCyr.set(LATIN_UPPER[i] as string, c);
  toLat.set(c, l);
}

/** Re-types Latin-layout keystrokes as Cyrillic. Characters without a key mapping pass through. */
export function toCyrillicLayout(text: string): string {
  let out = "";
  for (const ch of text) out += toCyr.get(ch) ?? ch;
  return out;
}

/** Re-types Cyrillic-layout keystrokes as Latin (for «ыьы» → «sms»). */
export function toLatinLayout(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) out += toLat.get(ch) ?? ch;
  return out;
}

// Russian typed on QWERTY is poor in a, e, i, o, u (they stand for ф, у, ш, щ, г), and the re-typed word
// must read as Russian: a vowel somewhere, no word starting with ь, ъ or ы («sms» → «ыьы» is not Russian).
const LATIN_VOWELS = /[aeiou]/g;
const CYR_VOWEL = /[аеёиоуыэюя]/;

/** Whether a Latin chunk reads as Russian typed on the wrong layout rather than as English or transliteration. */
export function looksLikeWrongLayout(chunk: string): boolean {
  const c = chunk.toLowerCase();
  if (!/^[a-z`[\];',.]+$/.test(c) || !/[a-z]/.test(c)) return false;
  const cyr = toCyrillicLayout(c);
  if (/^[ьъы]/.test(cyr) || !CYR_VOWEL.test(cyr)) return false;
  if (/[a-z][[\];',.`][a-z]/.test(c)) return true;
  const letters = c.replace(/[^a-z]/g, "");
  if (letters.length < 2) return false;
  return (letters.match(LATIN_VOWELS) ?? []).length / letters.length < 0.2;
}

/**
 * Fixes a text typed on the wrong layout, chunk by chunk (mixed texts keep their good parts):
 * a Latin chunk is re-typed as Cyrillic when `isWord` accepts the result, or, without `isWord`,
 * when it looks like wrong-layout typing.
 */
export function fixLayout(text: string, isWord?: (cyrillicWord: string) => boolean): string {
  return text.replace(/[^\s]+/g, (chunk) => {
    if (!/[a-z]/i.test(chunk) || /[а-яё]/i.test(chunk)) return chunk;
    const core = chunk.replace(/[.,!?:;]+$/, "");
    const tail = chunk.slice(core.length);
    for (const candidate of [chunk, core]) {
      const converted = toCyrillicLayout(candidate);
      const ok = isWord ? isWord(converted.toLowerCase()) : looksLikeWrongLayout(candidate);
      if (ok) return candidate === chunk ? converted : converted + tail;
    }
    return chunk;
  });
}
