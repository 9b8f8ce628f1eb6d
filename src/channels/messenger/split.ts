// Long texts in a messenger: cut into messages no longer than the limit, at a paragraph if one is near the end, else at
// a line, a sentence, a word, and only a word longer than the whole limit is cut inside. Pure.

export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    // Not too early: a cut in the first half would make many short messages.
    const floor = Math.floor(limit / 2);
    let cut = -1;
    for (const sep of ["\n\n", "\n", ". ", " "]) {
      const at = window.lastIndexOf(sep);
      if (at >= floor) {
        cut = at + (sep === ". " ? 1 : 0);
        break;
      }
    }
    if (cut <= 0) cut = limit;
    // Never leave a lone half of a surrogate pair at the end of a part.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** Telegram's MarkdownV2: every reserved character outside an entity is escaped with a backslash. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (c) => `\\${c}`);
}
