import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeHref } from "./Markdown.tsx";

const html = (source: string, opts: { baseLevel?: number; links?: Map<string, string> } = {}) =>
  renderToStaticMarkup(<Markdown source={source} {...opts} />);

describe("Markdown", () => {
  it("renders what the old renderer dropped: fenced code, nested lists, tables", () => {
    const out = html(
      "```\nnpm start\n```\n\n1. Первый\n   - вложенный\n2. Второй\n\n| Поле | Значение |\n|---|---|\n| ИНН | 12 цифр |\n",
    );
    expect(out).toContain("<pre><code>npm start\n</code></pre>");
    expect(out).toMatch(
      /<ol>\s*<li>\s*<p>Первый<\/p>\s*<ul>\s*<li>вложенный<\/li>|<ol>\s*<li>Первый\s*<ul>\s*<li>вложенный<\/li>/,
    );
    expect(out).toContain("<table>");
    expect(out).toContain("<td>ИНН</td>");
  });

  it("never lets HTML from the text through, and keeps only trusted links", () => {
    const out = html(
      '<script>alert(1)</script> <img src=x onerror="alert(1)"> [плохо](javascript:alert(1)) [плохо](//evil.example)',
    );
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;");
    expect(out).not.toContain("<a");
  });

  it("takes a link for a path of this site only when a browser would stay on the site", () => {
    // Browsers read «/\host» as «//host» and drop a tab or a newline: each of these leaves the site.
    for (const href of ["/\\evil.example/x", "/\t/evil.example", "/\n/evil.example", "//evil.example"]) {
      expect(safeHref(href), JSON.stringify(href)).toBeNull();
    }
    expect(safeHref("/%0a/evil.example")).toBe("/%0a/evil.example");
    expect(safeHref("/help/sms-code?x=1#steps")).toBe("/help/sms-code?x=1#steps");
  });

  it("opens external links with noopener and keeps this site's paths in the app", () => {
    const out = html("[портал](https://example.ru) и [справка](/help/sms-code)");
    expect(out).toContain('<a href="https://example.ru" rel="noopener noreferrer">портал</a>');
    expect(out).toContain('<a href="/help/sms-code">справка</a>');
  });

  it("shifts headings below the page's own and links titles of other articles", () => {
    const links = new Map([["Не приходит код", "/help/sms-code"]]);
    const out = html("# Раздел\n\nСмотрите статью «Не приходит код» и «Другую».", { baseLevel: 2, links });
    expect(out).toContain("<h3>Раздел</h3>");
    expect(out).toContain('«<a href="/help/sms-code">Не приходит код</a>»');
    expect(out).toContain("«Другую»");
  });
});
