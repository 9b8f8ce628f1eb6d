// Reading and writing subjects: the «Госуслуги - [категория]» form the seed asks citizens to use,
// reply prefixes in the languages Russian mail clients speak, and our request-number tag.

export type CategoryCode =
  | "access"
  | "contacts"
  | "application_status"
  | "documents"
  | "e_signature"
  | "technical"
  | "business"
  | "information"
  | "complaint";

// Titles as the support service publishes them, then the variants people actually type.
// Matched after normalise(): lower case, ё→е, one space, slashes spaced.
const CATEGORY_ALIASES: Record<CategoryCode, string[]> = {
  access: [
    "вход / доступ / пароль / коды",
    "вход / доступ",
    "вход и доступ",
    "вход",
    "доступ",
    "пароль",
    "коды",
    "код подтверждения",
    "коды подтверждения",
    "смс",
    "sms",
    "восстановление пароля",
    "восстановление доступа",
    "блокировка",
    "блокировка учетной записи",
    "учетная запись",
    "подтверждение личности",
  ],
  contacts: [
    "смена телефона / e-mail",
    "смена телефона / email",
    "смена телефона / почты",
    "смена телефона",
    "смена номера телефона",
    "смена номера",
    "смена e-mail",
    "смена email",
    "смена почты",
    "изменение телефона",
    "изменение номера телефона",
    "изменение e-mail",
    "изменение email",
    "контакты",
    "контактные данные",
  ],
  application_status: [
    "статус заявления",
    "статус заявлений",
    "статус заявки",
    "статус услуги",
    "статус",
    "заявление не обработано",
  ],
  documents: [
    "документы / заявления",
    "документы и заявления",
    "документы",
    "заявления",
    "заявление",
    "подача заявления",
    "загрузка документов",
  ],
  e_signature: [
    "электронная подпись",
    "электронная цифровая подпись",
    "цифровая подпись",
    "эцп",
    "эп",
    "кэп",
    "нэп",
    "укэп",
  ],
  technical: [
    "технические проблемы / ошибка",
    "технические проблемы",
    "техническая проблема",
    "технический вопрос",
    "техническая поддержка",
    "техподдержка",
    "ошибка",
    "ошибки",
    "сбой",
  ],
  business: [
    "юридические лица / ип",
    "юридические лица и ип",
    "юридические лица",
    "юридическое лицо",
    "юрлица",
    "юрлицо",
    "индивидуальные предприниматели",
    "индивидуальный предприниматель",
    "ип",
    "организации",
    "организация",
    "бизнес",
  ],
  information: ["справка / информация", "справка", "справки", "информация", "консультация", "вопрос"],
  complaint: ["жалоба / отзыв", "жалоба", "жалобы", "отзыв", "отзывы", "претензия"],
};

const CODES = Object.keys(CATEGORY_ALIASES) as CategoryCode[];

// Longest alias first, so «юридические лица / ип» wins over «юридические лица».
const ALIASES: Array<[string, CategoryCode]> = CODES.flatMap((code) =>
  CATEGORY_ALIASES[code].map((alias): [string, CategoryCode] => [normalise(alias), code]),
).sort((a, b) => b[0].length - a[0].length);

function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[\u00a0\u2007\u202f\t]/g, " ")
    .replace(/[«»"'“”„]/g, "")
    .replace(/\s*\/\s*/g, " / ")
    .replace(/\s+/g, " ")
    .trim();
}

// Re:, RE[2]:, Re(3):, Fwd:, Fw:, Ответ:, Отв:, Пересл:, AW:, WG:, TR:, SV: — repeated any number of times.
const REPLY_PREFIX = /^\s*(?:re|fwd?|ответ|отв|пересл|aw|wg|tr|sv|vs)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*/iu;

export function stripReplyPrefixes(subject: string): string {
  let s = subject;
  for (;;) {
    const next = s.replace(REPLY_PREFIX, "");
    if (next === s) return s.trim();
    s = next;
  }
}

export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject);
}

const DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212";
// «Госуслуги - X», «Госуслуги – [X]», «Госуслуги: X», «Gosuslugi - X», «[Госуслуги] X».
const PORTAL_FORM = new RegExp(
  `^\\[?\\s*(?:госуслуги|gosuslugi|gosuslugi\\.ru|госуслуги\\.ру)\\s*\\]?\\s*(?:[${DASHES}:|]+\\s*)?(.*)$`,
  "iu",
);

/** The category code the subject names in the «Госуслуги - [категория]» form, if it names one. */
export function categoryFromSubject(subject: string): CategoryCode | undefined {
  const base = stripRequestTag(stripReplyPrefixes(subject.replace(/[«»"]/g, "")));
  const match = PORTAL_FORM.exec(stripReplyPrefixes(base));
  if (!match) return undefined;
  let rest = (match[1] ?? "").trim();
  // A bracketed title is the whole category: «[Электронная подпись] не работает».
  const bracket = /^[[(](.+?)[\])]/.exec(rest);
  if (bracket) rest = bracket[1] ?? "";
  const title = normalise(rest);
  if (!title) return undefined;
  if ((CODES as string[]).includes(title.replace(/ /g, "_"))) return title.replace(/ /g, "_") as CategoryCode;
  for (const [alias, code] of ALIASES) {
    if (!title.startsWith(alias)) continue;
    // The alias must end on a word boundary: «ип» names business, «ипотека» names nothing.
    const next = title.charAt(alias.length);
    if (next === "" || !/[\p{L}\p{N}]/u.test(next)) return code;
  }
  return undefined;
}

// Our tag: «[№ 12345674]». Readers also accept «№12345674», «No. 12345674», «#12345674»,
// «обращение 12345674» — citizens retype the number by hand, also as our letters write it, in groups: «12 345 674».
const DIGITS = String.raw`(\d{6,12}|\d{1,3}(?:[ \u00a0\u202f]\d{3}){1,3})(?![\d])`;
const TAG = /\[\s*(?:№|N[o°]?\.?|#)\s*(\d{6,12})\s*\]/giu;
const MARKED = new RegExp(String.raw`(?:№|\bN[o°]\.?|#|обращени[еяюи]\s*(?:№\s*)?)\s*${DIGITS}`, "giu");
// In a letter's text «№» alone is too loose: «заявление № 1234567890» is the portal's application number.
const NAMED = new RegExp(String.raw`(?:обращени[еяюи]м?|запрос[ау]?)\s*(?:№|N[o°]\.?|#)?\s*${DIGITS}`, "giu");

function stripRequestTag(subject: string): string {
  return subject.replace(TAG, " ").replace(/\s+/g, " ").trim();
}

/** «[№ 12345674] Госуслуги - Электронная подпись»; an old tag is replaced, reply prefixes dropped. */
export function formatSubject(subject: string, number: string, options: { reply?: boolean } = {}): string {
  if (!/^\d{6,12}$/.test(number)) throw new RangeError("request number must be 6–12 digits");
  const base = stripRequestTag(stripReplyPrefixes(stripRequestTag(subject))) || "Обращение";
  return `${options.reply ? "Re: " : ""}[№ ${number}] ${base}`;
}

/** The request number written in a subject, if the injected validator (with its check digit) accepts it. */
export function findRequestNumber(subject: string, isValidNumber: (n: string) => boolean): string | undefined {
  return firstValid(subject, [TAG, MARKED], isValidNumber);
}

/** The request number a citizen wrote in the text: our tag, or «обращение (№) N» / «запрос N» only. */
export function findRequestNumberInText(text: string, isValidNumber: (n: string) => boolean): string | undefined {
  return firstValid(text.slice(0, 20_000), [TAG, NAMED], isValidNumber);
}

function firstValid(subject: string, patterns: RegExp[], isValidNumber: (n: string) => boolean): string | undefined {
  for (const pattern of patterns) {
    for (const m of subject.matchAll(pattern)) {
      const digits = m[1]?.replace(/\D/g, "");
      if (digits && isValidNumber(digits)) return digits;
    }
  }
  return undefined;
}
