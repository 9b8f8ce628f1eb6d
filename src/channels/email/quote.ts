// Setting the new text of a reply apart from the quoted history and the signature.
// Operators read `text`; `quoted` and `signature` are kept for context, never thrown away.

export type SplitText = { text: string; quoted?: string; signature?: string };

const SEPARATOR_LINES = [
  /^-{2,}\s*(?:original message|исходное сообщение|forwarded message|пересылаемое сообщение|переадресованное сообщение|начало пересылаемого сообщения)\s*-{2,}\s*$/iu,
  /^-{2,}\s*(?:original message|исходное сообщение|forwarded message|пересылаемое сообщение)\s*:?\s*$/iu,
  /^(?:_{8,}|-{8,})\s*$/u, // Outlook puts a rule above its From:/Sent: block
];

// «12.05.2025, 10:14, "Иван" <ivan@example.ru>:», «Пн, 12 мая 2025 г. в 10:14, Иван <…>:»
// and the common «… пишет:» / «… wrote:» / «… написал(а):» endings.
const ATTRIBUTION_END = /(?:wrote|writes|пишет|написал|написала|написал\(а\)|пишут)\s*:\s*$/iu;
// Gmail and Mail.ru end the attribution with the address alone: «пн, 12 мая 2025 г. в 10:14, Имя <a@b>:».
const ADDRESS_LINE = /<[^>\s]+@[^>\s]+>\s*:\s*$/u;
const HEADER_FROM = /^\s*\*?(?:from|от|отправитель)\s*:\*?\s/iu;
// A quoted header block always says when the quoted letter was sent; a formal letter that opens with
// «Кому: … От: … Тема: …» does not, and must not be mistaken for history.
const HEADER_SENT = /^\s*\*?(?:sent|date|отправлено|дата|дата отправки)\s*:\*?/iu;

const SIGNATURE_DELIMITER = /^-- ?$/u;
const MOBILE_SIGNATURE =
  /^(?:sent from my \S+|отправлено (?:с|из|со) .{1,60}|get outlook for \S+|с уважением,? отправлено с .+)$/iu;

export function splitReply(input: string): SplitText {
  const lines = input.replace(/\r\n?/g, "\n").split("\n");
  const cut = findQuoteStart(lines);
  const head = lines.slice(0, cut);
  const quotedParts: string[] = [];
  if (cut < lines.length) quotedParts.push(lines.slice(cut).join("\n"));

  // In what remains, «>» lines are quotation too (interleaved answers keep the lines between them).
  const own: string[] = [];
  const inlineQuoted: string[] = [];
  for (const line of head) (/^\s*>/.test(line) ? inlineQuoted : own).push(line);
  if (inlineQuoted.length) quotedParts.unshift(inlineQuoted.join("\n"));

  let signature: string | undefined;
  const sigAt = own.findIndex((l) => SIGNATURE_DELIMITER.test(l));
  if (sigAt >= 0) {
    signature =
      own
        .slice(sigAt + 1)
        .join("\n")
        .trim() || undefined;
    own.length = sigAt;
  } else {
    const last = lastNonBlank(own);
    if (last >= 0 && MOBILE_SIGNATURE.test((own[last] ?? "").trim())) {
      signature = (own[last] ?? "").trim();
      own.length = last;
    }
  }

  const text = tidy(own.join("\n"));
  const quoted = tidy(quotedParts.join("\n"));
  // Nothing new around the history: a bare forward. What was forwarded is then what the sender says.
  if (!text && quoted) return { text: quoted, ...(signature ? { signature } : {}) };
  return { text, ...(quoted ? { quoted } : {}), ...(signature ? { signature } : {}) };
}

function findQuoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (!line) continue;
    if (SEPARATOR_LINES.some((re) => re.test(line))) {
      // A rule only counts when an Outlook header block follows it.
      if (/^[-_]+$/.test(line) && !HEADER_FROM.test(nextNonBlank(lines, i + 1))) continue;
      return i;
    }
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => HEADER_SENT.test(l))) return i;
    if ((ATTRIBUTION_END.test(line) || ADDRESS_LINE.test(line)) && quoteFollows(lines, i + 1)) {
      // Clients wrap a long attribution: «On Mon, 12 May 2025 at 10:14, Ivan <\nivan@example.ru> wrote:».
      const prev = (lines[i - 1] ?? "").trim();
      return prev &&
        /^(?:on|в|\d|пн|вт|ср|чт|пт|сб|вс|mon|tue|wed|thu|fri|sat|sun)(?=[\s,.\d])/iu.test(prev) &&
        !/[.!?]$/.test(prev)
        ? i - 1
        : i;
    }
  }
  return lines.length;
}

// An attribution line must be followed by something quoted, or end the letter, to count.
function quoteFollows(lines: string[], from: number): boolean {
  const next = nextNonBlank(lines, from);
  return next === "" || /^\s*>/.test(next) || HEADER_FROM.test(next);
}

function nextNonBlank(lines: string[], from: number): string {
  for (let i = from; i < lines.length; i++) if ((lines[i] ?? "").trim()) return lines[i] ?? "";
  return "";
}

function lastNonBlank(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] ?? "").trim()) return i;
  return -1;
}

function tidy(s: string): string {
  return s
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
