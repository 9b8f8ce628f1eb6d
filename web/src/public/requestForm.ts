// The web form's model: its fields, their order on the page, and what can be checked before sending.
import type { Limits } from "../api/limits.ts";
import { tooLarge } from "../api/limits.ts";
import { count, WORDS } from "../format.ts";

export const TEXT_MAX = 20_000;
export const ACCEPT = ".png,.jpg,.jpeg,.gif,.webp,.heic,.pdf,.doc,.docx,.xlsx,.odt,.rtf,.txt";
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

export type Form = {
  category: string;
  audience: string;
  region: string;
  text: string;
  name: string;
  email: string;
  phone: string;
};

export const EMPTY: Form = { category: "", audience: "citizen", region: "", text: "", name: "", email: "", phone: "" };

// Order of the fields on the page, for the error summary and for focusing the first problem.
export const FIELD_IDS: Record<string, string> = {
  category: "f-category",
  audience: "f-audience-citizen",
  region: "f-region",
  text: "f-text",
  "contact.name": "f-name",
  "contact.email": "f-email",
  "contact.phone": "f-phone",
  files: "f-files",
};

export type Picked = { id: string; file: File };

/** What the form can check before sending; the file limits only once the server has told them. */
export function validate(form: Form, picked: Picked[], limits: Limits | undefined): Record<string, string> {
  const files = picked.map((p) => p.file);
  const errs: Record<string, string> = {};
  if (!form.text.trim()) errs.text = "Опишите ваш вопрос: поле «Текст обращения» пустое.";
  else if (form.text.length > TEXT_MAX)
    errs.text = `Текст длиннее ${count(TEXT_MAX, ...WORDS.characterGenitive)}: сократите его или приложите файлом.`;
  if (form.email.trim() && !EMAIL.test(form.email.trim())) {
    errs["contact.email"] = "Проверьте адрес электронной почты: например, ivanova@mail.ru.";
  }
  const digits = form.phone.replace(/\D/g, "");
  if (form.phone.trim() && (digits.length < 10 || digits.length > 15 || /[^\d\s()+\-‑–]/.test(form.phone))) {
    errs["contact.phone"] = "Проверьте номер телефона: например, +7 912 345-67-89.";
  }
  if (!limits) return errs;
  const { maxFiles, maxFileBytes } = limits.attachments;
  if (files.length > maxFiles) errs.files = `Можно приложить не больше ${count(maxFiles, ...WORDS.fileGenitive)}.`;
  const big = tooLarge(files, maxFileBytes);
  if (big) errs.files = big;
  return errs;
}
