// Article Markdown (CommonMark with GFM tables, lists and fenced code) rendered to React elements by
// react-markdown. No HTML from the text ever reaches the page as HTML — a tag in an article shows as text — and a
// link goes only to http(s), mailto:, tel: or a path of this site; a path of this site opens in the app.
import type { ComponentProps, ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { Link } from "../router.tsx";

/** Only links a reader can trust: the web, mail, phone and this site's own paths. */
const THIS_SITE = "https://this-site.invalid";

export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:\/\/|mailto:|tel:)/i.test(u)) return u;
  if (!u.startsWith("/")) return null;
  // A path of this site only as a browser reads it: «//host», «/\host» and a tab or a newline among the slashes
  // (which browsers drop) all lead elsewhere.
  let resolved: URL;
  try {
    resolved = new URL(u, THIS_SITE);
  } catch {
    return null;
  }
  return resolved.origin === THIS_SITE ? `${resolved.pathname}${resolved.search}${resolved.hash}` : null;
}

/** Titles of other articles, so that «Смотрите статью «…»» becomes a link to it. */
export type ArticleLinks = ReadonlyMap<string, string>;

// The few mdast fields the plugin below touches.
type MdNode = { type: string; value?: string; url?: string; children?: MdNode[] };

/** A remark plugin: «Title» in running text becomes a link when an article has that title. */
function linkArticleTitles(links: ArticleLinks) {
  const split = (text: string): MdNode[] =>
    text.split(/«([^«»]+)»/).flatMap((part, i): MdNode[] => {
      if (i % 2 === 0) return part ? [{ type: "text", value: part }] : [];
      const url = links.get(part);
      if (!url) return [{ type: "text", value: `«${part}»` }];
      return [
        { type: "text", value: "«" },
        { type: "link", url, children: [{ type: "text", value: part }] },
        { type: "text", value: "»" },
      ];
    });
  const walk = (node: MdNode) => {
    if (!node.children || node.type === "link" || node.type === "heading") return;
    node.children = node.children.flatMap((child) =>
      child.type === "text" && child.value?.includes("«") ? split(child.value) : [child],
    );
    for (const child of node.children) walk(child);
  };
  return () => (tree: MdNode) => {
    if (links.size > 0) walk(tree);
  };
}

function SafeLink({ href, children }: ComponentProps<"a">) {
  const safe = href ? safeHref(href) : null;
  if (!safe) return <>{children}</>;
  if (safe.startsWith("/")) return <Link to={safe}>{children}</Link>;
  return (
    <a href={safe} rel="noopener noreferrer">
      {children}
    </a>
  );
}

// A wide table scrolls inside a box of its own, which the keyboard can reach (and a screen reader names).
function ScrollingTable({ children }: ComponentProps<"table">) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1)
    <section className="markdown__table" tabIndex={0} aria-label="Таблица">
      <table>{children}</table>
    </section>
  );
}

function headings(baseLevel: number): Components {
  const shifted = (level: number) => {
    const Tag = `h${Math.min(6, Math.max(baseLevel + 1, level + baseLevel - 1))}` as "h2";
    return ({ children }: { children?: ReactNode }) => <Tag>{children}</Tag>;
  };
  return { h1: shifted(1), h2: shifted(2), h3: shifted(3), h4: shifted(4), h5: shifted(5), h6: shifted(6) };
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
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm, linkArticleTitles(links ?? new Map())]}
        urlTransform={(url) => safeHref(url)}
        components={{ ...headings(baseLevel), a: SafeLink, table: ScrollingTable }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
