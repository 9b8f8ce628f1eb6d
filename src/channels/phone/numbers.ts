// Numbers as a PBX reports them, and the directory line a call was made to. Pure.
import type { DirectoryLine } from "../../directory/types.ts";
import { normalizePhone } from "../../requests/contact.ts";

/**
 * E.164 for a number the way Russian PBXs and callers write it: «89123456789», «79123456789», «+7 (912) …»,
 * «9123456789» (ten digits without the trunk prefix). Null for withheld or internal numbers.
 */
export function normalizeCallerNumber(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const s = raw.trim();
  if (!s || /anonymous|unknown|restricted|private/i.test(s)) return null;
  const digits = s.replace(/\D/g, "");
  if (/^9\d{9}$/.test(digits) || /^[3-8]\d{9}$/.test(digits)) return normalizePhone(`+7${digits}`);
  if (/^(00|810)\d{8,15}$/.test(digits)) return normalizePhone(`+${digits.replace(/^(00|810)/, "")}`);
  return normalizePhone(s);
}

/** Digits only, for numbers the directory keeps although a checker flagged them (too short, for example). */
function digitsOf(raw: string): string {
  const d = raw.replace(/\D/g, "");
  return d.length === 11 && d.startsWith("8") ? `7${d.slice(1)}` : d;
}

/** The line the caller dialled: published main lines first when several share one number. */
export function lineForNumber(lines: readonly DirectoryLine[], dialled: string | null | undefined) {
  if (!dialled) return undefined;
  const want = digitsOf(dialled);
  const rank = (l: DirectoryLine) => (l.published ? 0 : 2) + (l.role === "main" ? 0 : 1);
  return lines
    .filter((l) => digitsOf(l.e164) === want || digitsOf(l.number) === want)
    .sort((a, b) => rank(a) - rank(b))[0];
}
