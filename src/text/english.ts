// Queries in English, or English mixed into Russian, as foreign residents and young people type them: «forgot
// password», «не приходит sms code», «не могу login в account». Known English words and phrases are read as their
// Russian counterparts before the query is analysed; a query with none of them is left exactly as typed (so a word
// typed on the wrong layout, «gfhjkm», is never taken for English).

// Longest phrases first where one contains another; each maps to Russian the search understands.
const GLOSSARY: Array<[string, string]> = [
  ["did not receive", "не приходит"],
  ["didn't receive", "не приходит"],
  ["didnt receive", "не приходит"],
  ["not received", "не приходит"],
  ["not receiving", "не приходит"],
  ["not coming", "не приходит"],
  ["not arriving", "не приходит"],
  ["doesn't come", "не приходит"],
  ["does not work", "не работает"],
  ["doesn't work", "не работает"],
  ["not working", "не работает"],
  ["can't", "не могу"],
  ["cant", "не могу"],
  ["cannot", "не могу"],
  ["can not", "не могу"],
  ["unable to", "не могу"],
  ["log in", "войти"],
  ["log into", "войти"],
  ["sign in", "войти"],
  ["sign up", "зарегистрироваться"],
  ["create account", "зарегистрироваться"],
  ["phone number", "номер телефона"],
  ["e-mail", "почта"],
  ["electronic signature", "электронная подпись"],
  ["digital signature", "электронная подпись"],
  ["e-signature", "электронная подпись"],
  ["from abroad", "из-за рубежа"],
  ["outside russia", "из-за рубежа"],
  ["legal entity", "организация"],
  ["sole proprietor", "ИП"],
  ["personal data", "персональные данные"],
  ["foreign citizen", "иностранец"],
  ["tax id", "ИНН"],
  ["login", "войти"],
  ["signin", "войти"],
  ["logon", "войти"],
  ["forgot", "забыл"],
  ["forgotten", "забыл"],
  ["reset", "восстановить"],
  ["recover", "восстановить"],
  ["restore", "восстановить"],
  ["password", "пароль"],
  ["code", "код"],
  ["sms", "смс"],
  ["account", "учетная запись"],
  ["profile", "профиль"],
  ["blocked", "заблокирован"],
  ["locked", "заблокирован"],
  ["banned", "заблокирован"],
  ["suspended", "заблокирован"],
  ["unlock", "разблокировать"],
  ["hacked", "взломали"],
  ["change", "сменить"],
  ["update", "сменить"],
  ["phone", "телефон"],
  ["mobile", "мобильный"],
  ["number", "номер"],
  ["email", "почта"],
  ["mail", "почта"],
  ["signature", "подпись"],
  ["certificate", "сертификат"],
  ["application", "заявление"],
  ["applications", "заявления"],
  ["status", "статус"],
  ["stuck", "зависло"],
  ["pending", "зависло"],
  ["rejected", "отказ"],
  ["refused", "отказ"],
  ["denied", "отказ"],
  ["upload", "загрузить"],
  ["attach", "приложить"],
  ["document", "документ"],
  ["documents", "документы"],
  ["file", "файл"],
  ["files", "файлы"],
  ["call", "позвонить"],
  ["abroad", "из-за рубежа"],
  ["support", "поддержка"],
  ["hotline", "горячая линия"],
  ["register", "зарегистрироваться"],
  ["registration", "регистрация"],
  ["company", "организация"],
  ["organization", "организация"],
  ["organisation", "организация"],
  ["business", "организация"],
  ["entrepreneur", "ИП"],
  ["error", "ошибка"],
  ["page", "страница"],
  ["site", "портал"],
  ["website", "портал"],
  ["portal", "портал"],
  ["broken", "не работает"],
  ["unavailable", "недоступен"],
  ["down", "недоступен"],
  ["browser", "браузер"],
  ["clear", "очистить"],
  ["operator", "оператор"],
  ["human", "оператор"],
  ["agent", "оператор"],
  ["passport", "паспорт"],
  ["identity", "подтвердить личность"],
  ["verify", "подтвердить"],
  ["confirm", "подтвердить"],
  ["payment", "оплата"],
  ["pay", "оплатить"],
  ["fee", "госпошлина"],
  ["rating", "оценка"],
  ["rate", "оценить"],
  ["feedback", "отзыв"],
  ["chat", "чат"],
  ["notifications", "уведомления"],
  ["privacy", "персональные данные"],
  ["foreigner", "иностранец"],
];

// Words that carry no meaning for the search once the query is known to be English.
const STOP = new Set(
  "i i'm im my me the a an to of for in on at is are was were be it its how do does did what why where when please help hi hello with and or can get got have has there this that your you need want should would could will my new".split(
    " ",
  ),
);

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const PHRASES = new RegExp(
  `(?<![\\p{L}\\d'’-])(${GLOSSARY.map(([en]) => literal(en).replace(/'/g, "['’]")).join("|")})(?![\\p{L}\\d'’-])`,
  "giu",
);
const MEANING = new Map(GLOSSARY.map(([en, ru]) => [en, ru]));

/** The query with its English words read in Russian; unchanged when it holds no English word the glossary knows. */
export function readEnglish(query: string): string {
  let found = false;
  const read = query.replace(PHRASES, (m) => {
    found = true;
    return ` ${MEANING.get(m.toLowerCase().replace(/’/g, "'")) ?? m} `;
  });
  if (!found) return query;
  return read
    .replace(/[\p{L}'’]+/gu, (w) => (/^[a-z'’]+$/i.test(w) && STOP.has(w.toLowerCase().replace(/’/g, "'")) ? " " : w))
    .replace(/\s+/g, " ")
    .trim();
}
