// Russian taxpayer and registration identifiers, checked by their control digits.
// Pure code, no I/O: operators type these from a caller's dictation, so a wrong digit must be caught
// before anyone looks an organisation up by it.
//
//   ИНН    10 digits: a legal entity; 12 digits: a person (and an individual entrepreneur)
//   ОГРН   13 digits: a legal entity's registration number (starts with 1 or 5)
//   ОГРНИП 15 digits: an individual entrepreneur's registration number (starts with 3)
//   СНИЛС  11 digits: 9-digit number + 2 check digits; numbers up to 001-001-998 predate the check

export type IdentifierKind = "inn_legal" | "inn_person" | "ogrn" | "ogrnip" | "snils";

/** What a caller said the number is; `inn` covers both lengths. */
export type IdentifierType = "inn" | "ogrn" | "ogrnip" | "snils";

export type IdentifierErrorCode =
  | "identifier.empty"
  | "identifier.bad_characters"
  | "identifier.bad_length"
  | "identifier.bad_prefix"
  | "identifier.all_zeros"
  | "identifier.bad_checksum";

export interface IdentifierCheck {
  valid: boolean;
  /** The kind the digits were checked as; null when the length fits no kind. */
  kind: IdentifierKind | null;
  /** Digits only. */
  normalized: string;
  error?: IdentifierErrorCode;
}

export const IDENTIFIER_TITLES: Record<IdentifierKind, string> = {
  inn_legal: "ИНН организации",
  inn_person: "ИНН физического лица",
  ogrn: "ОГРН",
  ogrnip: "ОГРНИП",
  snils: "СНИЛС",
};

// Spaces (incl. no-break), hyphens and dashes are how people group digits; anything else is an error.
const SEPARATORS = /[\s\u00a0\u2007\u202f\-\u2010-\u2015\u2212]/g;

function clean(input: string): { digits: string; error?: IdentifierErrorCode } {
  const digits = input.replace(SEPARATORS, "");
  if (digits === "") return { digits, error: "identifier.empty" };
  if (!/^\d+$/.test(digits)) return { digits, error: "identifier.bad_characters" };
  if (/^0+$/.test(digits)) return { digits, error: "identifier.all_zeros" };
  return { digits };
}

function weighted(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * (weights[i] as number);
  return sum;
}

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS_11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS_12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** The check digit(s) an ИНН of this body must end with (body: 9 or 10 digits). */
export function innCheckDigits(body: string): string {
  if (body.length === 9) return String((weighted(body, INN10_WEIGHTS) % 11) % 10);
  const d11 = (weighted(body, INN12_WEIGHTS_11) % 11) % 10;
  const d12 = (weighted(body + d11, INN12_WEIGHTS_12) % 11) % 10;
  return `${d11}${d12}`;
}

/** ОГРН: the first 12 digits modulo 11, last digit of that; ОГРНИП: the first 14 modulo 13. */
export function ogrnCheckDigit(body: string): string {
  const modulus = body.length === 12 ? 11 : 13;
  // 14 digits stay below 2^53, so Number arithmetic is exact here.
  return String((Number(body) % modulus) % 10);
}

/** The two СНИЛС check digits for a 9-digit number (meaningful only above 001-001-998). */
export function snilsCheckDigits(body: string): string {
  const sum = weighted(body, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  let check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : sum % 101;
  if (check === 100) check = 0;
  return String(check).padStart(2, "0");
}

// Numbers up to this one were issued before the checksum was introduced.
const SNILS_UNCHECKED_MAX = 1_001_998;

function result(kind: IdentifierKind | null, normalized: string, error?: IdentifierErrorCode): IdentifierCheck {
  return error ? { valid: false, kind, normalized, error } : { valid: true, kind, normalized };
}

export function validateInn(input: string): IdentifierCheck {
  const { digits, error } = clean(input);
  const kind = digits.length === 10 ? "inn_legal" : digits.length === 12 ? "inn_person" : null;
  if (error) return result(kind, digits, error);
  if (!kind) return result(null, digits, "identifier.bad_length");
  const body = digits.slice(0, kind === "inn_legal" ? 9 : 10);
  return result(kind, digits, digits.endsWith(innCheckDigits(body)) ? undefined : "identifier.bad_checksum");
}

export function validateOgrn(input: string): IdentifierCheck {
  const { digits, error } = clean(input);
  if (error) return result("ogrn", digits, error);
  if (digits.length !== 13) return result("ogrn", digits, "identifier.bad_length");
  if (digits[0] !== "1" && digits[0] !== "5") return result("ogrn", digits, "identifier.bad_prefix");
  return result(
    "ogrn",
    digits,
    digits[12] === ogrnCheckDigit(digits.slice(0, 12)) ? undefined : "identifier.bad_checksum",
  );
}

export function validateOgrnip(input: string): IdentifierCheck {
  const { digits, error } = clean(input);
  if (error) return result("ogrnip", digits, error);
  if (digits.length !== 15) return result("ogrnip", digits, "identifier.bad_length");
  if (digits[0] !== "3") return result("ogrnip", digits, "identifier.bad_prefix");
  return result(
    "ogrnip",
    digits,
    digits[14] === ogrnCheckDigit(digits.slice(0, 14)) ? undefined : "identifier.bad_checksum",
  );
}

export function validateSnils(input: string): IdentifierCheck {
  const { digits, error } = clean(input);
  if (error) return result("snils", digits, error);
  if (digits.length !== 11) return result("snils", digits, "identifier.bad_length");
  const body = digits.slice(0, 9);
  if (Number(body) <= SNILS_UNCHECKED_MAX) return result("snils", digits);
  return result("snils", digits, digits.slice(9) === snilsCheckDigits(body) ? undefined : "identifier.bad_checksum");
}

const VALIDATORS: Record<IdentifierType, (input: string) => IdentifierCheck> = {
  inn: validateInn,
  ogrn: validateOgrn,
  ogrnip: validateOgrnip,
  snils: validateSnils,
};

const BY_LENGTH: Record<number, IdentifierType> = {
  10: "inn",
  11: "snils",
  12: "inn",
  13: "ogrn",
  15: "ogrnip",
};

/**
 * Checks `input` as the given type, or, without one, as whichever kind its length means
 * (10/12 ИНН, 11 СНИЛС, 13 ОГРН, 15 ОГРНИП).
 */
export function validateIdentifier(input: string, type?: IdentifierType): IdentifierCheck {
  if (type) return VALIDATORS[type](input);
  const { digits, error } = clean(input);
  if (error) return result(null, digits, error);
  const guessed = BY_LENGTH[digits.length];
  return guessed ? VALIDATORS[guessed](digits) : result(null, digits, "identifier.bad_length");
}

/** «XXX-XXX-XXX YY», the way СНИЛС is printed on the card. */
export function formatSnils(input: string): string {
  const d = input.replace(/\D/g, "");
  if (d.length !== 11) return input;
  return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${d.slice(9)}`;
}

/**
 * Hides all digits but the last four, keeping the separators as written:
 * «563-846-451 27» → «***-***-*51 27», «7751891603» → «******1603».
 */
export function maskIdentifier(value: string, mask = "*"): string {
  const total = (value.match(/\d/g) ?? []).length;
  let seen = 0;
  return value.replace(/\d/g, (d) => (++seen > total - 4 ? d : mask));
}
