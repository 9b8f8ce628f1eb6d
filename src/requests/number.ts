// Request numbers: all digits (read aloud, typed on a phone keypad) ending in a Damm check digit.
// Damm catches every single mistyped digit and every swap of two adjacent digits, with no letters.

const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function dammInterim(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![ch.charCodeAt(0) - 48]!;
  return interim;
}

/** The check digit for a string of digits. */
export function checkDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new Error("digits only");
  return dammInterim(digits);
}

/** Turns a sequence value into a request number: the value's digits followed by the check digit. */
export function formatRequestNumber(sequence: number | bigint): string {
  const body = String(sequence);
  return body + String(checkDigit(body));
}

/** Strips what people type around a number (spaces, dashes, «№») and returns digits, or null. */
export function normalizeRequestNumber(input: string): string | null {
  const digits = input.replace(/^\s*(№|N|No\.?|#)\s*/i, "").replace(/[\s\u00a0\u2011\-–—.]/g, "");
  return /^\d{6,12}$/.test(digits) ? digits : null;
}

/** True when the digits carry a correct check digit (a number mistyped by one digit is refused). */
export function isValidRequestNumber(input: string): boolean {
  const digits = normalizeRequestNumber(input);
  return digits !== null && dammInterim(digits) === 0;
}

/** «1 030 026»: groups of three from the right, as the number is shown to applicants and read aloud. */
export function groupRequestNumber(number: string): string {
  return number.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}
