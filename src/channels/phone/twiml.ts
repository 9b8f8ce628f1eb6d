// TwiML, the XML a voice platform follows: Say, Gather, Dial, Enqueue, Redirect, Hangup. Russian speech.
// Pure: a tiny builder, so the IVR's dialogue reads as a list of verbs.

export type Verb =
  | { say: string }
  | { gather: { action: string; numDigits?: number; finishOnKey?: string; timeout?: number; say: string[] } }
  | { dial: string }
  | { enqueue: string }
  | { redirect: string }
  | { hangup: true };

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const say = (text: string) => `<Say language="ru-RU">${esc(text)}</Say>`;

export function twiml(verbs: Verb[]): string {
  const body = verbs
    .map((v) => {
      if ("say" in v) return say(v.say);
      if ("gather" in v) {
        const g = v.gather;
        const attrs = [
          `input="dtmf"`,
          `action="${esc(g.action)}"`,
          `method="POST"`,
          g.numDigits ? `numDigits="${g.numDigits}"` : "",
          g.finishOnKey ? `finishOnKey="${esc(g.finishOnKey)}"` : "",
          `timeout="${g.timeout ?? 6}"`,
          `language="ru-RU"`,
        ].filter(Boolean);
        return `<Gather ${attrs.join(" ")}>${g.say.map(say).join("")}</Gather>`;
      }
      if ("dial" in v) return `<Dial>${esc(v.dial)}</Dial>`;
      if ("enqueue" in v) return `<Enqueue>${esc(v.enqueue)}</Enqueue>`;
      if ("redirect" in v) return `<Redirect method="POST">${esc(v.redirect)}</Redirect>`;
      return "<Hangup/>";
    })
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

/** A number read out digit by digit, in groups, so a caller can write it down. */
export function spellDigits(digits: string): string {
  return (digits.match(/\d{1,3}/g) ?? []).map((g) => g.split("").join(" ")).join(", ");
}
