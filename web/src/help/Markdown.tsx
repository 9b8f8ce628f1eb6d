// Article Markdown rendered to React elements: headings, paragraphs, lists, quotes, bold, italics, code and
// links. No HTML from the text ever reaches the page as HTML — a tag in an article shows as text — and a
// link goes only to http(s), mailto:, tel: or a path of this site.
import type { ReactNode } from "react";

type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; ordered: boolean; start: number; items: string[] }
  | { kind: "quote"; text: string };

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

export function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: Extract<Block, { kind: "list" }> | null = null;
  const flush = () => {
    if (para.length) blocks.push({ kind: "paragraph", text: para.join("\n") });
    para = [];
    list = null;
  };
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (line.trim() === "" || /^\s{0,3}```/.test(line)) {
      if (para.length) flush();
      continue;
    }
    const h = HEADING.exec(line);
    const b = BULLET.exec(line);
    const n = NUMBERED.exec(line);
    const q = QUOTE.exec(line);
    if (h) {
      flush();
      blocks.push({ kind: "heading", level: h[1]!.length, text: h[2]! });
    } else if (b || n) {
      if (para.length) flush();
      const ordered = Boolean(n);
      const current: Extract<Block, { kind: "list" }> | null = list;
      if (!current || current.ordered !== ordered) {
        const next: Extract<Block, { kind: "list" }> = {
          kind: "list",
          ordered,
          start: n ? Number(n[1]) : 1,
          items: [],
        };
        blocks.push(next);
        list = next;
      }
      list!.items.push((n ? n[2] : b![1])!);
    } else if (q) {
      flush();
      const last = blocks[blocks.length - 1];
      if (last?.kind === "quote") last.text += `\n${q[1]}`;
      else blocks.push({ kind: "quote", text: q[1]! });
    } else if (list && /^\s{2,}\S/.test(line)) {
      // A continuation line of the last list item.
      const items = (list as Extract<Block, { kind: "list" }>).items;
      items[items.length - 1] += ` ${line.trim()}`;
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}

/** Only links a reader can trust: the web, mail, phone and this site's own paths. */
export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:\/\/|mailto:|tel:)/i.test(u)) return u;
  if (u.startsWith("/") && !u.startsWith("//")) return u;
  return null;
}

const INLINE = /(\*\*|__)(.+?)\1|(\*|_)([^*_\s][^*_]*?)\3|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Titles of other articles, so that «Смотрите статью «…»» becomes a link to it. */
export type ArticleLinks = ReadonlyMap<string, string>;

function plainWithLinks(text: string, links: ArticleLinks | undefined, key: string): ReactNode[] {
  if (!links || links.size === 0) return [text];
  const out: ReactNode[] = [];
  const parts = text.split(/«([^«»]+)»/);
  parts.forEach((p, i) => {
    if (i % 2 === 0) {
      if (p) out.push(p);
      return;
    }
    const href = links.get(p);
    const id = `${key}-l${i}`;
    out.push(
      href ? (
        <span key={id}>
          «<a href={href}>{p}</a>»
        </span>
      ) : (
        `«${p}»`
      ),
    );
  });
  return out;
}

export function renderInline(text: string, keyBase = "i", links?: ArticleLinks): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let k = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index! > last) out.push(...plainWithLinks(text.slice(last, m.index), links, `${keyBase}-t${k}`));
    const key = `${keyBase}-${k++}`;
    if (m[2] !== undefined) out.push(<strong key={key}>{renderInline(m[2], key)}</strong>);
    else if (m[4] !== undefined) out.push(<em key={key}>{renderInline(m[4], key)}</em>);
    else if (m[5] !== undefined) out.push(<code key={key}>{m[5]}</code>);
    else {
      const href = safeHref(m[7]!);
      out.push(
        href ? (
          <a key={key} href={href} rel={href.startsWith("http") ? "noopener noreferrer" : undefined}>
            {renderInline(m[6]!, key)}
          </a>
        ) : (
          m[6]
        ),
      );
    }
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(...plainWithLinks(text.slice(last), links, `${keyBase}-t${k}`));
  return out;
}

/** `baseLevel`: the page's own heading level; an article's «##» becomes one below it. */
export function Markdown({
  source,
  baseLevel = 1,
  links,
}: {
  source: string;
  baseLevel?: number;
  links?: ArticleLinks;
}) {
  const blocks = parseBlocks(source);
  return (
    <div className="markdown">
      {blocks.map((b, i) => {
        const key = `b${i}`;
        switch (b.kind) {
          case "heading": {
            const level = Math.min(6, Math.max(baseLevel + 1, b.level + baseLevel - 1));
            const Tag = `h${level}` as "h2";
            return <Tag key={key}>{renderInline(b.text, key)}</Tag>;
          }
          case "list": {
            const items = b.items.map((item, j) => {
              const id = `${key}-${j}`;
              return <li key={id}>{renderInline(item, id, links)}</li>;
            });
            return b.ordered ? (
              <ol key={key} start={b.start === 1 ? undefined : b.start}>
                {items}
              </ol>
            ) : (
              <ul key={key}>{items}</ul>
            );
          }
          case "quote":
            return <blockquote key={key}>{renderInline(b.text, key, links)}</blockquote>;
          default:
            return <p key={key}>{renderInline(b.text, key, links)}</p>;
        }
      })}
    </div>
  );
}

/** A search snippet: `<mark>` around matched words, the rest HTML-escaped by the server; shown without innerHTML. */
export function Snippet({ html }: { html: string }) {
  const unescapeHtml = (s: string) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
  const parts = html.split(/<mark>(.*?)<\/mark>/g);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string never move
          <mark key={i}>{unescapeHtml(p)}</mark>
        ) : (
          unescapeHtml(p)
        ),
      )}
    </>
  );
}
