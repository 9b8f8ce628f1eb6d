// The verification checklist an operator goes through before acting on a caller's personal data, by the
// caller's audience and the topic of the call (the items the service's own instructions name). Pure.
import { validateInn, validateOgrn, validateOgrnip, validateSnils } from "../../verification/index.ts";

export type ItemKind = "confirm" | "identifier" | "digits" | "info";
export type ChecklistItem = { code: string; title: string; kind: ItemKind; required: boolean };

const ITEMS: Record<string, ChecklistItem> = {
  phone_in_profile: {
    code: "phone_in_profile",
    title: "Номер телефона совпадает с указанным в личном кабинете",
    kind: "confirm",
    required: true,
  },
  full_name: { code: "full_name", title: "ФИО названы как в паспорте", kind: "confirm", required: true },
  // The source says «ИИН»; Russia has no such identifier — the digits asked for are of СНИЛС or ИНН.
  identifier_digits: {
    code: "identifier_digits",
    title: "Последние четыре цифры СНИЛС или ИНН совпадают",
    kind: "digits",
    required: true,
  },
  application: {
    code: "application",
    title: "Номер заявления или дата его подачи названы",
    kind: "confirm",
    required: true,
  },
  inn_legal: { code: "inn_legal", title: "ИНН организации (10 цифр)", kind: "identifier", required: true },
  ogrn: { code: "ogrn", title: "ОГРН организации (13 цифр)", kind: "identifier", required: true },
  inn_person: { code: "inn_person", title: "ИНН предпринимателя (12 цифр)", kind: "identifier", required: true },
  ogrnip: { code: "ogrnip", title: "ОГРНИП (15 цифр)", kind: "identifier", required: true },
  cabinet: { code: "cabinet", title: "Номер личного кабинета назван", kind: "confirm", required: true },
  snils: { code: "snils", title: "СНИЛС (если заявитель его называет)", kind: "identifier", required: false },
  error_text: {
    code: "error_text",
    title: "Текст сообщения об ошибке или код страницы",
    kind: "info",
    required: false,
  },
  error_time: { code: "error_time", title: "Точное время ошибки", kind: "info", required: false },
  os: { code: "os", title: "Операционная система", kind: "info", required: false },
  browser: { code: "browser", title: "Браузер", kind: "info", required: false },
};

const BY_AUDIENCE: Record<string, string[]> = {
  citizen: ["phone_in_profile", "full_name", "identifier_digits"],
  legal_entity: ["full_name", "inn_legal", "ogrn"],
  entrepreneur: ["full_name", "inn_person", "ogrnip", "cabinet"],
};

export function checklistFor(audience: string, topic: string | null | undefined): ChecklistItem[] {
  const codes = [...(BY_AUDIENCE[audience] ?? BY_AUDIENCE.citizen!)];
  if (topic === "application_status" || topic === "documents") codes.push("application");
  if (topic === "technical") codes.push("error_text", "error_time", "os", "browser");
  if (audience === "citizen") codes.push("snils");
  return codes.map((c) => ITEMS[c]!);
}

export type ItemResult = "confirmed" | "valid" | "invalid" | "missing" | "noted";
export type Answers = Record<string, string | boolean | undefined>;

/**
 * Checks what the operator entered: identifiers by their checksums as typed, digit items by shape,
 * confirmations as ticked. Passed when every required item is confirmed or valid.
 */
export function evaluate(items: ChecklistItem[], answers: Answers) {
  const results: Record<string, ItemResult> = {};
  const problems: Array<{ code: string; message: string }> = [];
  for (const item of items) {
    const a = answers[item.code];
    let r: ItemResult;
    if (item.kind === "confirm") r = a === true || a === "true" || a === "on" ? "confirmed" : "missing";
    else if (item.kind === "info") r = typeof a === "string" && a.trim() ? "noted" : "missing";
    else if (typeof a !== "string" || !a.trim()) r = "missing";
    else if (item.kind === "digits") r = /^\d{4}$/.test(a.replace(/[\s-]/g, "")) ? "valid" : "invalid";
    else {
      const check = checkIdentifier(item.code, a);
      r = check.valid ? "valid" : "invalid";
      if (!check.valid) problems.push({ code: item.code, message: check.message });
    }
    if (r === "invalid" && item.kind === "digits") {
      problems.push({ code: item.code, message: "Нужны ровно четыре цифры." });
    }
    results[item.code] = r;
  }
  const passed = items.every((i) => !i.required || results[i.code] === "confirmed" || results[i.code] === "valid");
  return { results, problems, passed };
}

const MESSAGES: Record<string, string> = {
  "identifier.empty": "Поле пустое.",
  "identifier.bad_characters": "Только цифры, пробелы и дефисы.",
  "identifier.bad_length": "Неверное число цифр.",
  "identifier.bad_prefix": "Номер начинается не с той цифры.",
  "identifier.all_zeros": "Одни нули — так номер не выглядит.",
  "identifier.bad_checksum": "Контрольная цифра не сходится: номер записан с ошибкой.",
};

function checkIdentifier(code: string, value: string): { valid: boolean; message: string } {
  const check =
    code === "inn_legal" || code === "inn_person"
      ? validateInn(value)
      : code === "ogrn"
        ? validateOgrn(value)
        : code === "ogrnip"
          ? validateOgrnip(value)
          : validateSnils(value);
  if (!check.valid) return { valid: false, message: MESSAGES[check.error ?? ""] ?? "Номер записан с ошибкой." };
  if (code === "inn_legal" && check.kind !== "inn_legal") {
    return { valid: false, message: "ИНН организации состоит из 10 цифр." };
  }
  if (code === "inn_person" && check.kind !== "inn_person") {
    return { valid: false, message: "ИНН предпринимателя состоит из 12 цифр." };
  }
  return { valid: true, message: "" };
}
