// The verification checklist an operator goes through before acting on a caller's personal data, by the
// caller's audience and the topic of the call (the items the service's own instructions name). A citizen's
// answers are compared with the portal account they name (facts the server looked up); organisations'
// identifiers are checked by their checksums. Pure.
import type { PortalAccount } from "../../portal/connector.ts";
import { validateInn, validateOgrn, validateOgrnip, validateSnils } from "../../verification/index.ts";

export type ItemKind = "confirm" | "text" | "phone" | "identifier" | "digits" | "info";
/** `registry`: the answer is compared with the portal account; otherwise checked as typed (checksum, shape, tick). */
export type ChecklistItem = { code: string; title: string; kind: ItemKind; required: boolean; registry: boolean };

const item = (code: string, title: string, kind: ItemKind, required = true, registry = false): ChecklistItem => ({
  code,
  title,
  kind,
  required,
  registry,
});

const ITEMS: Record<string, ChecklistItem> = {
  phone_in_profile: item(
    "phone_in_profile",
    "Телефон в личном кабинете (обычно тот, с которого звонят)",
    "phone",
    true,
    true,
  ),
  full_name: item("full_name", "ФИО, как в паспорте", "text", true, true),
  // The source says «ИИН»; Russia has no such identifier — the digits asked for are of СНИЛС or ИНН.
  identifier_digits: item("identifier_digits", "Последние четыре цифры СНИЛС или ИНН", "digits", true, true),
  application: item("application", "Номер заявления", "text", true, true),
  snils: item("snils", "СНИЛС (если заявитель его называет)", "identifier", false, true),
  representative: item("full_name", "ФИО представителя названы", "confirm"),
  inn_legal: item("inn_legal", "ИНН организации (10 цифр)", "identifier"),
  ogrn: item("ogrn", "ОГРН организации (13 цифр)", "identifier"),
  inn_person: item("inn_person", "ИНН предпринимателя (12 цифр)", "identifier"),
  ogrnip: item("ogrnip", "ОГРНИП (15 цифр)", "identifier"),
  cabinet: item("cabinet", "Номер личного кабинета назван", "confirm"),
  error_text: item("error_text", "Текст сообщения об ошибке или код страницы", "info", false),
  error_time: item("error_time", "Точное время ошибки", "info", false),
  os: item("os", "Операционная система", "info", false),
  browser: item("browser", "Браузер", "info", false),
};

const BY_AUDIENCE: Record<string, string[]> = {
  citizen: ["phone_in_profile", "full_name", "identifier_digits"],
  legal_entity: ["representative", "inn_legal", "ogrn"],
  entrepreneur: ["representative", "inn_person", "ogrnip", "cabinet"],
};

export function checklistFor(audience: string, topic: string | null | undefined): ChecklistItem[] {
  const codes = [...(BY_AUDIENCE[audience] ?? BY_AUDIENCE.citizen!)];
  if (topic === "application_status" || topic === "documents") codes.push("application");
  if (topic === "technical") codes.push("error_text", "error_time", "os", "browser");
  if (audience === "citizen") codes.push("snils");
  return codes.map((c) => ITEMS[c]!);
}

export type ItemResult = "confirmed" | "valid" | "invalid" | "match" | "mismatch" | "missing" | "noted";
export type Answers = Record<string, string | boolean | undefined>;

/** What the server looked up for a citizen's answers: the account named, and whose the named application is. */
export type RegistryFacts = {
  account: PortalAccount | null;
  /** The profile phone the caller named, else the number they call from; null when what was typed is no phone. */
  phone: string | null;
  /** The account the named application belongs to (null: no such application, or the portal does not say). */
  applicationAccountId: string | null;
};

const HELD: ReadonlySet<ItemResult> = new Set(["confirmed", "valid", "match"]);
const FAILED: ReadonlySet<ItemResult> = new Set(["invalid", "mismatch"]);
const text = (a: unknown) => (typeof a === "string" ? a.trim() : "");
/** Names compare without case, «ё», punctuation and extra spaces: «Пётр  Сидоров» is «петр сидоров». */
export const normalizeName = (s: string) =>
  s
    .toLowerCase()
    .replaceAll("ё", "е")
    .replace(/[^\p{L}\s-]/gu, "")
    .replace(/\s+/g, " ")
    .trim();

/** The registry account's side of one item (the account is there and the answer is not empty). */
function compare(code: string, answer: string, facts: RegistryFacts): ItemResult | { invalid: string } {
  const account = facts.account;
  switch (code) {
    case "phone_in_profile":
      if (!facts.phone) return { invalid: "Телефон записан с ошибкой: например, +7 912 345-67-89." };
      return account?.phone === facts.phone ? "match" : "mismatch";
    case "full_name":
      return account && normalizeName(account.fullName) === normalizeName(answer) ? "match" : "mismatch";
    case "identifier_digits": {
      const digits = answer.replace(/[\s-]/g, "");
      if (!/^\d{4}$/.test(digits)) return { invalid: "Нужны ровно четыре цифры." };
      const held = [account?.snils, account?.inn].some((id) => id && id.length >= 4 && id.endsWith(digits));
      return held ? "match" : "mismatch";
    }
    case "application":
      return account && facts.applicationAccountId === account.id ? "match" : "mismatch";
    case "snils": {
      const check = validateSnils(answer);
      if (!check.valid) return { invalid: MESSAGES[check.error ?? ""] ?? "СНИЛС записан с ошибкой." };
      return account?.snils === check.normalized ? "match" : "mismatch";
    }
  }
  return "mismatch";
}

/**
 * Checks what the operator entered: registry items against the account the server looked up, identifiers by
 * their checksums, confirmations as ticked. Passed when every required item held and no item given failed
 * (an optional СНИЛС typed wrong fails the check), and — when any item is checked against the registry — an
 * account was found.
 */
export function evaluate(items: ChecklistItem[], answers: Answers, facts?: RegistryFacts) {
  const results: Record<string, ItemResult> = {};
  const problems: Array<{ code: string; message: string }> = [];
  for (const item of items) {
    const a = answers[item.code];
    let r: ItemResult;
    // The profile phone may be left empty: the number the caller rings from is compared then.
    const answer = item.code === "phone_in_profile" && !text(a) && facts?.phone ? facts.phone : text(a);
    if (item.kind === "confirm") r = a === true || a === "true" || a === "on" ? "confirmed" : "missing";
    else if (item.kind === "info") r = answer ? "noted" : "missing";
    else if (!answer) r = "missing";
    else if (item.registry) {
      const c = facts ? compare(item.code, answer, facts) : "mismatch";
      if (typeof c === "object") problems.push({ code: item.code, message: c.invalid });
      r = typeof c === "object" ? "invalid" : c;
    } else {
      const check = checkIdentifier(item.code, answer);
      r = check.valid ? "valid" : "invalid";
      if (!check.valid) problems.push({ code: item.code, message: check.message });
    }
    results[item.code] = r;
  }
  const passed =
    items.every((i) => !i.required || HELD.has(results[i.code]!)) &&
    !Object.values(results).some((r) => FAILED.has(r)) &&
    (!items.some((i) => i.registry) || Boolean(facts?.account));
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
