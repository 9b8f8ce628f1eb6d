// The chatbot's rules: answer from the knowledge-base search, ask once when the text is too short to search,
// hand over when asked for a person. Pure: the search is an argument, the answer is data.
import type { SearchHit } from "../../knowledge/index.ts";
import { MOSCOW_LABEL, moscowDateTime } from "../../text/display.ts";
import { fixLayout, isStopWord, normalize, tokenize } from "../../text/index.ts";
import type { BotMemory, ChatArticle, ChatPayload } from "./db-schema.ts";

export type Search = (query: string) => SearchHit[];

export type BotTurn = { kind: "answer"; body: string; payload: ChatPayload; memory: BotMemory } | { kind: "handover" };

// Below this an article is a guess: the bot says it found nothing rather than offer noise.
export const MIN_SCORE = 1.2;
const ASKS_FOR_PERSON = /оператор|человек|специалист|сотрудник|живой|консультант|\b(?:operator|human|agent)\b/i;

export const BOT_TEXT = {
  clarify:
    "Уточните, пожалуйста, что именно случилось: например, «не приходит код из СМС» или «не могу сменить номер телефона». Так я найду точный ответ.",
  found: "Вот что может помочь:",
  notFound:
    "Я не нашёл ответа на этот вопрос в справке. Опишите его другими словами или позовите оператора — он прочитает всю переписку.",
  helped: "Рад, что помогло! Если появятся вопросы, напишите сюда снова.",
};

export type IncidentForNotice = { title: string; publicMessage: string; expectedRecoveryAt?: Date | string | null };

/**
 * The outages going on now, said before the bot's first answer: the applicant may be writing about one of them. Each
 * with its expected recovery as the phone menu says it. The opening does not say «сейчас»: public messages often
 * begin with it.
 */
export function incidentNotice(list: IncidentForNotice[], now: Date = new Date()): string | null {
  if (list.length === 0) return null;
  const lines = list.slice(0, 2).map((i) => describeIncident(i, now));
  return list.length === 1 ? `Известен сбой. ${lines[0]}` : `Известны сбои:\n${lines.map((l) => `— ${l}`).join("\n")}`;
}

function describeIncident(i: IncidentForNotice, now: Date): string {
  const told = i.publicMessage.trim() || i.title.trim();
  const text = /[.!?…]$/.test(told) ? told : `${told}.`;
  return i.expectedRecoveryAt
    ? `${text} Ожидаемое время восстановления: ${moscowDateTime(i.expectedRecoveryAt, now)} ${MOSCOW_LABEL}.`
    : text;
}

/** What leads to the phone lines open now, in agreement with their number. */
export function linesIntro(n: number): string {
  return n === 1
    ? "Или позвоните на линию, которая работает сейчас:"
    : "Или позвоните на одну из линий, которые работают сейчас:";
}

/** Words that carry meaning (no politeness, no function words). */
export function contentWords(text: string): string[] {
  return tokenize(normalize(text)).filter((w) => w.length >= 3 && !isStopWord(w));
}

export function botTurn(text: string, memory: BotMemory, search: Search): BotTurn {
  // «ghbdtn, vyt ye;ty jgthfnjh» is «привет, мне нужен оператор» typed with the Latin layout on.
  const read = fixLayout(text);
  if (ASKS_FOR_PERSON.test(read) && contentWords(read).length <= 4) return { kind: "handover" };
  // After the clarifying question the first text and the answer are read together.
  const query = memory.pending ? `${memory.pending} ${text}` : text;
  const hits = search(query).filter((h) => h.score >= MIN_SCORE);
  const best = hits[0]?.score ?? 0;
  if (!memory.clarified && contentWords(query).length < 2 && best < 3) {
    return {
      kind: "answer",
      body: BOT_TEXT.clarify,
      payload: { buttons: ["operator"] },
      memory: { ...memory, clarified: true, pending: text.slice(0, 500) },
    };
  }
  const rest: BotMemory = { ...memory, clarified: true };
  delete rest.pending;
  const top = hits.filter((h) => h.score >= best * 0.5).slice(0, 3);
  if (top.length === 0) {
    return { kind: "answer", body: BOT_TEXT.notFound, payload: { buttons: ["operator"] }, memory: rest };
  }
  return {
    kind: "answer",
    body: BOT_TEXT.found,
    payload: { articles: top.map(toArticle), buttons: ["helped", "operator"] },
    memory: rest,
  };
}

function toArticle(h: SearchHit): ChatArticle {
  // The snippet marks matched words with <mark>; the chat shows plain text.
  const snippet = h.snippet
    .replace(/<\/?mark>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!);
  return { slug: h.slug, title: h.title, snippet };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
