// A search snippet: `<mark>` around matched words, the rest HTML-escaped by the server; shown without innerHTML.

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

export function Snippet({ html }: { html: string }) {
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
