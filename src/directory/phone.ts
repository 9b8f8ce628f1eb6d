// Telephone numbers as people write them: «8‑800‑555‑35‑35», «+7 (495) 777‑77‑77», «+7 4722 77‑88‑99».
// Validity comes from libphonenumber's full metadata; the written form gets a few checks of our own.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

// Digits, plus, brackets, spaces (incl. no-break) and the hyphen family (the seed writes U+2011).
const ALLOWED = /^[0-9+()\s\u00a0\u2009\u202f\-\u2010\u2011\u2012\u2013]+$/u;
const HYPHENS = /[-\u2010\u2011\u2012\u2013]/u;

export type NumberProblemCode =
  | "number_bad_characters"
  | "number_invalid"
  | "number_format"
  | "tollfree_international_format";

export interface NumberProblem {
  code: NumberProblemCode;
  message: string;
}

export interface NumberInfo {
  /** E.164, when the digits make a valid number. */
  e164?: string;
  /** All digits written, with nothing added. */
  digits: string;
  russian: boolean;
  tollFree: boolean;
  /** A fixed-line number whose code names a place (not 8‑800, not mobile). */
  geographic: boolean;
  /** The ABC/DEF code of a Russian number: the first three digits after +7. */
  areaCode?: string;
  problems: NumberProblem[];
}

export function analyseNumber(written: string): NumberInfo {
  const text = written.trim();
  const digits = text.replace(/\D/g, "");
  const info: NumberInfo = { digits, russian: false, tollFree: false, geographic: false, problems: [] };
  if (!text || !ALLOWED.test(text)) {
    info.problems.push({
      code: "number_bad_characters",
      message: `в номере «${written}» есть недопустимые знаки: допустимы цифры, «+», скобки, пробелы и дефисы`,
    });
    return info;
  }
  if (text.indexOf("+") > 0 || (text.match(/\+/g)?.length ?? 0) > 1) {
    info.problems.push({
      code: "number_bad_characters",
      message: `«+» может стоять только в начале номера «${written}»`,
    });
    return info;
  }
  // The parser knows neither the narrow no-break space (U+202F, the seed's own spacing) nor the hyphen family.
  const plain = text.replace(/[\u00a0\u2009\u202f]/gu, " ").replace(/[\u2010-\u2013]/gu, "-");
  const parsed = parsePhoneNumberFromString(plain, "RU");
  if (!parsed?.isValid()) {
    const national = russianNationalDigits(text, digits);
    const detail =
      national !== undefined && national.length !== 10
        ? `: после кода страны ${national.length} цифр вместо 10`
        : ": такого номера нет в плане нумерации";
    info.problems.push({ code: "number_invalid", message: `номер «${written}» недействителен${detail}` });
    return info;
  }
  info.e164 = parsed.number;
  info.russian = parsed.countryCallingCode === "7" && parsed.country !== "KZ";
  const type = parsed.getType();
  info.tollFree = type === "TOLL_FREE";
  info.geographic = type === "FIXED_LINE" || type === "FIXED_LINE_OR_MOBILE";
  if (info.russian) info.areaCode = String(parsed.nationalNumber).slice(0, 3);
  if (info.tollFree && text.startsWith("+"))
    info.problems.push({
      code: "tollfree_international_format",
      message: `бесплатный номер записан как «${written}»: из-за рубежа номера 8‑800 недоступны, в России их набирают через 8`,
    });
  const format = formatProblem(text);
  if (format) info.problems.push({ code: "number_format", message: `номер «${written}»: ${format}` });
  return info;
}

/** The digits after the country code of a number that looks Russian (+7… or 8…), else undefined. */
function russianNationalDigits(text: string, digits: string): string | undefined {
  if (text.startsWith("+7")) return digits.slice(1);
  if (!text.startsWith("+") && digits.startsWith("8")) return digits.slice(1);
  return undefined;
}

// Once the subscriber part starts with hyphens it keeps them: «77‑88 99» is a typo that hides a digit group.
function formatProblem(text: string): string | undefined {
  const firstHyphen = text.search(HYPHENS);
  if (firstHyphen >= 0 && /\s/u.test(text.slice(firstHyphen))) return "пробел вместо дефиса между группами цифр";
  if ((text.match(/\(/g)?.length ?? 0) !== (text.match(/\)/g)?.length ?? 0)) return "непарные скобки";
  return undefined;
}

/** How a caller abroad dials a Russian number: exit prefix (00 in most countries, 011 from North America), then 7. */
export function dialFromAbroad(e164: string): string {
  const rest = e164.replace(/^\+/, "");
  const m = /^7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(rest);
  const spaced = m ? `7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : rest;
  return `00 ${spaced} (из США и Канады — 011 ${spaced}); с мобильного можно набрать ${e164}`;
}
