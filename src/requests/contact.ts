// Applicant contact details as people type them, normalised: phones to E.164, e-mail trimmed.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { errors } from "../http/errors.ts";

export type Contact = { name?: string | undefined; email?: string | undefined; phone?: string | undefined };

/** E.164 for a phone written the Russian way (8 …, +7 …, 7 …, brackets, spaces, dashes), or null. */
export function normalizePhone(input: string): string | null {
  let s = input.replace(/[\s\u00a0\u2011\u2010()\-–—.]/g, "");
  if (/^8\d{10}$/.test(s)) s = `+7${s.slice(1)}`;
  else if (/^7\d{10}$/.test(s)) s = `+${s}`;
  const phone = parsePhoneNumberFromString(s, "RU");
  return phone?.isValid() ? phone.number : null;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

export function normalizeContact(contact: Contact | undefined): Contact {
  const out: Contact = {};
  const name = contact?.name?.trim();
  if (name) out.name = name;
  const email = contact?.email?.trim();
  if (email) {
    if (!EMAIL.test(email)) {
      throw errors.badInput("invalid_email", "Проверьте адрес электронной почты: он записан с ошибкой.", {
        field: "contact.email",
      });
    }
    out.email = email;
  }
  const phone = contact?.phone?.trim();
  if (phone) {
    const e164 = normalizePhone(phone);
    if (!e164) {
      throw errors.badInput("invalid_phone", "Проверьте номер телефона: например, +7 912 345-67-89.", {
        field: "contact.phone",
      });
    }
    out.phone = e164;
  }
  return out;
}

/** Masks a contact for lists: the last four characters of a phone, the first letter of an e-mail. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  return `${phone.slice(0, 2)}•••••${phone.slice(-4)}`;
}

export function maskEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const [user, domain] = email.split("@");
  return `${user?.slice(0, 1) ?? ""}•••@${domain ?? ""}`;
}
