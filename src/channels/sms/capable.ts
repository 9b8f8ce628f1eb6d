// Whether a number takes text messages: a mobile number does, a landline, a free-phone or a premium-rate one does not.
// A number whose kind the numbering plan cannot tell is given the benefit of the doubt (the gateway refuses it if not).
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

const NO_TEXTS = new Set(["FIXED_LINE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "UAN", "VOICEMAIL"]);

export function smsCapable(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return !(type && NO_TEXTS.has(type));
}
