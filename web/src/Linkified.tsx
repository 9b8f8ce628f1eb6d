// A message's text with its web addresses and phone numbers as links. Everything else stays text (React escapes it):
// only http and https addresses become links, opened apart from the page and followed by no search engine.
import { Fragment } from "react";
import { displayPhone, telHref } from "./format.ts";

/** A run of the message: `at` is where it starts in the text (a stable key). */
export type Piece = { kind: "text" | "url" | "tel"; text: string; href?: string; at: number };

// An address up to the first space or quote; a Russian phone number as people write it, not inside a longer number.
const URL_OR_PHONE =
  /\bhttps?:\/\/[^\s<>"«»]+|(?<![\d+])(?:\+7|8)[\s\u00a0-]?\(?\d{3}\)?[\s\u00a0-]?\d{3}[\s\u00a0-]?\d{2}[\s\u00a0-]?\d{2}(?!\d)/gi;
// What ends a sentence is not part of the address before it.
const TRAILING = /[.,;:!?)\]»'’…]+$/;

function safeUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits a message into text, web addresses and phone numbers. */
export function pieces(body: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  const text = (t: string, at: number) => {
    if (!t) return;
    const prev = out.at(-1);
    if (prev?.kind === "text") prev.text += t;
    else out.push({ kind: "text", text: t, at });
  };
  for (const m of body.matchAll(URL_OR_PHONE)) {
    let found = m[0];
    const start = m.index;
    text(body.slice(last, start), last);
    if (/^https?:/i.test(found)) {
      found = found.replace(TRAILING, "");
      const href = safeUrl(found);
      if (href) out.push({ kind: "url", text: found, href, at: start });
      else text(found, start);
    } else {
      const href = telHref(found);
      if (href) out.push({ kind: "tel", text: found, href, at: start });
      else text(found, start);
    }
    last = start + found.length;
  }
  text(body.slice(last), last);
  return out;
}

export function Linkified({ text }: { text: string }) {
  return (
    <>
      {pieces(text).map((p) =>
        p.kind === "text" ? (
          <Fragment key={p.at}>{p.text}</Fragment>
        ) : p.kind === "url" ? (
          <a key={p.at} href={p.href} target="_blank" rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ) : (
          <a key={p.at} href={p.href} aria-label={`Позвонить: ${displayPhone(p.text)}`}>
            {p.text}
          </a>
        ),
      )}
    </>
  );
}

/** A phone number written one way («8 800 555-35-35») and dialled by a tap; text that is no number stays text. */
export function PhoneLink({ phone }: { phone: string }) {
  const href = telHref(phone);
  return href ? <a href={href}>{displayPhone(phone)}</a> : phone;
}
