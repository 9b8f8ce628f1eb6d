// Who is writing: a citizen, a legal entity or an individual entrepreneur. Rules, not learning:
// the signals are few and exact (identifiers by their length and checksum, legal forms, a handful
// of words), and an operator must be able to say why the form shows «юрлицо».

import type { Audience } from "../requests/categories.ts";
import { identifiersIn } from "./classifier-features.ts";

// Legal forms are matched case-sensitively: «АО», «ООО» in capitals are forms, lower-case letters may be anything.
const LEGAL_FORMS = /(?<![\p{L}])(ООО|ОАО|ЗАО|ПАО|АО|НКО|ГУП|МУП|ФГУП|ТСЖ|СНТ|OOO)(?![\p{L}])/u;
const LEGAL_WORDS =
  /(?<![\p{L}])(юр\.?\s?лиц\p{L}*|юрлиц\p{L}*|юридическ\p{L}* лиц\p{L}*|организаци\p{L}*|компани\p{L}*|фирм\p{L}*|предприяти\p{L}*|учреждени\p{L}*|учредител\p{L}*|огрн(?!ип)|егрюл|бухгалтер\p{L}*|генеральн\p{L}* директор\p{L}*|директор\p{L}*)(?![\p{L}])/iu;
const ENTREPRENEUR_FORMS = /(?<![\p{L}])(ИП|IP)(?![\p{L}])/u;
const ENTREPRENEUR_WORDS =
  /(?<![\p{L}])(ип|индивидуальн\p{L}* предпринимател\p{L}*|предпринимател\p{L}*|огрнип|егрип|ogrnip)(?![\p{L}])/iu;

export interface AudienceGuess {
  audience: Audience;
  /** What decided it, for the operator's screen. */
  reason: "identifier" | "words" | "default";
}

export function detectAudience(text: string): AudienceGuess {
  // A valid identifier is the strongest signal there is.
  const ids = identifiersIn(text).filter((f) => f.valid);
  if (ids.some((f) => f.kind === "ogrnip")) return { audience: "entrepreneur", reason: "identifier" };
  const entrepreneurWords = ENTREPRENEUR_FORMS.test(text) || ENTREPRENEUR_WORDS.test(text);
  if (ids.some((f) => f.kind === "ogrn" || f.kind === "inn_legal"))
    return { audience: "legal_entity", reason: "identifier" };
  if (ids.some((f) => f.kind === "inn_person") && entrepreneurWords)
    return { audience: "entrepreneur", reason: "identifier" };

  const legalWords = LEGAL_FORMS.test(text) || LEGAL_WORDS.test(text);
  // «ИП» is explicit about the writer; «организация» is often only the subject («для организаций»).
  if (entrepreneurWords) return { audience: "entrepreneur", reason: "words" };
  if (legalWords) return { audience: "legal_entity", reason: "words" };
  return { audience: "citizen", reason: "default" };
}
