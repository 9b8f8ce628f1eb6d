// The departments of the service and where each category goes first. Administrators may change the map
// (stored in the database); this is the shipped default.
import type { CategoryCode } from "../requests/categories.ts";

export const DEPARTMENTS = [
  { code: "first_line", name: "Первая линия (контакт-центр)" },
  { code: "technical", name: "Техническая поддержка" },
  { code: "accounts", name: "Учётные записи и подтверждение личности" },
  { code: "business", name: "Юридические лица и ИП" },
  { code: "e_signature", name: "Электронная подпись" },
  { code: "applications", name: "Обработка заявлений" },
] as const;

export type DepartmentCode = (typeof DEPARTMENTS)[number]["code"];

// Everything starts on the first line, which answers most requests; a specialist department gets a request
// when it is escalated. Categories that the first line cannot act on go to their department at once.
export const DEFAULT_ROUTE: Record<CategoryCode, DepartmentCode> = {
  access: "first_line",
  contacts: "first_line",
  application_status: "first_line",
  documents: "first_line",
  e_signature: "e_signature",
  technical: "technical",
  business: "business",
  information: "first_line",
  complaint: "first_line",
};
