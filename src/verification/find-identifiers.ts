// Finds ИНН, ОГРН, ОГРНИП and СНИЛС in free text: «ИНН 7751891603», «снилс 563-846-451 27».
// A message is full of other numbers (phones, application numbers, dates), so a digit run counts
// only when its check digits hold, or when a label right before it says what it is — then it is
// reported even with a wrong checksum, because a mistyped ИНН is exactly what an operator must see.
import {
  type IdentifierCheck,
  type IdentifierKind,
  type IdentifierType,
  maskIdentifier,
  validateIdentifier,
} from "./identifiers.ts";

export interface FoundIdentifier {
  kind: IdentifierKind | null;
  /** What the text said the number is, when it said it. */
  label: IdentifierType | null;
  normalized: string;
  valid: boolean;
  error?: IdentifierCheck["error"];
  /** Offsets of the number in the original text (separators inside it included). */
  start: number;
  end: number;
}

// A group of digits, possibly hyphenated (563-846-451); groups follow each other after one space.
const GROUP = /\d+(?:[-\u2010-\u2015\u2212]\d+)*/g;
const LABEL = /(огрнип|огрн|инн|снилс|ogrnip|ogrn|inn|snils)[\s.:№#-]*$/i;
const LABEL_TYPE: Record<string, IdentifierType> = {
  огрнип: "ogrnip",
  огрн: "ogrn",
  инн: "inn",
  снилс: "snils",
  ogrnip: "ogrnip",
  ogrn: "ogrn",
  inn: "inn",
  snils: "snils",
};
const MAX_DIGITS = 15;

interface Group {
  start: number;
  end: number;
  digits: string;
}

function groups(text: string): Group[] {
  const out: Group[] = [];
  for (const m of text.matchAll(GROUP)) {
    const start = m.index ?? 0;
    out.push({ start, end: start + m[0].length, digits: m[0].replace(/\D/g, "") });
  }
  return out;
}

function labelBefore(text: string, start: number): IdentifierType | null {
  const m = LABEL.exec(text.slice(Math.max(0, start - 12), start));
  return m ? (LABEL_TYPE[(m[1] as string).toLowerCase()] ?? null) : null;
}

// Phone numbers are written «+7 …» or «8 (800) …»: an unlabelled run right after «+» or «(» is not an identifier.
function phoneLike(text: string, start: number): boolean {
  return /[+()]\s*$/.test(text.slice(Math.max(0, start - 2), start));
}

/** Identifiers in a text, in order of appearance. */
export function findIdentifiers(text: string): FoundIdentifier[] {
  const gs = groups(text);
  const found: FoundIdentifier[] = [];
  let i = 0;
  while (i < gs.length) {
    const first = gs[i] as Group;
    const label = labelBefore(text, first.start);
    // Digits glued to a word («А123», «10мб») are not an identifier, unless the word is its label («ИНН7751891603»).
    if (!label && first.start > 0 && /[\d\p{L}]/u.test(text[first.start - 1] as string)) {
      i++;
      continue;
    }
    // Extend over following groups joined by a single space, longest valid candidate wins.
    let best: { j: number; check: IdentifierCheck } | null = null;
    let fallback: { j: number; check: IdentifierCheck } | null = null;
    let digits = "";
    for (let j = i; j < gs.length; j++) {
      const g = gs[j] as Group;
      if (j > i && !/^[ \u00a0]$/.test(text.slice((gs[j - 1] as Group).end, g.start))) break;
      digits += g.digits;
      if (digits.length > MAX_DIGITS) break;
      const followed = text[g.end];
      if (followed !== undefined && /[\p{L}]/u.test(followed)) continue;
      const check = validateIdentifier(digits, label ?? undefined);
      if (check.valid && (label || !phoneLike(text, first.start))) best = { j, check };
      else if (label && check.error !== "identifier.bad_length") fallback ??= { j, check };
    }
    const pick = best ?? fallback ?? (label && gs[i] ? { j: i, check: validateIdentifier(first.digits, label) } : null);
    if (!pick) {
      i++;
      continue;
    }
    const { j, check } = pick;
    found.push({
      kind: check.kind,
      label,
      normalized: check.normalized,
      valid: check.valid,
      ...(check.error ? { error: check.error } : {}),
      start: first.start,
      end: (gs[j] as Group).end,
    });
    i = j + 1;
  }
  return found;
}

/** The text with every identifier found in it masked (for previews, lists and anything that may be logged). */
export function maskIdentifiersInText(text: string): string {
  let out = "";
  let at = 0;
  for (const f of findIdentifiers(text)) {
    out += text.slice(at, f.start) + maskIdentifier(text.slice(f.start, f.end));
    at = f.end;
  }
  return out + text.slice(at);
}
