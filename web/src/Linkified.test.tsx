import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Linkified, pieces } from "./Linkified.tsx";

const html = (text: string) => renderToStaticMarkup(<Linkified text={text} />);

describe("links in a message", () => {
  it("makes web addresses links that open apart and are not followed", () => {
    const out = html("Инструкция: https://www.gosuslugi.ru/help/faq?x=1&y=2. Проверьте.");
    expect(out).toBe(
      'Инструкция: <a href="https://www.gosuslugi.ru/help/faq?x=1&amp;y=2" target="_blank" rel="noopener noreferrer nofollow">https://www.gosuslugi.ru/help/faq?x=1&amp;y=2</a>. Проверьте.',
    );
  });

  it("makes only http and https links; markup stays text", () => {
    expect(html("javascript:alert(1) и data:text/html,<b>x</b>")).not.toContain("<a");
    expect(html('<a href="https://evil.example">жми</a>')).toContain("&lt;a href=");
    expect(html("ftp://files.example/x")).not.toContain("<a");
    // A quote ends the address: no attribute can be smuggled in.
    const out = html('https://example.ru/"onmouseover="alert(1)');
    expect(out).toContain('href="https://example.ru/"');
    expect(out).not.toContain('onmouseover="alert');
  });

  it("makes phone numbers tappable in the form the phone dials", () => {
    const out = html("Позвоните 8 800 100-70-10 или +7 (495) 727-47-47.");
    expect(out).toContain('<a href="tel:+78001007010" aria-label="Позвонить: 8 800 100-70-10">8 800 100-70-10</a>');
    expect(out).toContain('<a href="tel:+74957274747" aria-label="Позвонить: 8 495 727-47-47">+7 (495) 727-47-47</a>');
    expect(out.endsWith(".")).toBe(true);
  });

  it("leaves request numbers, dates and long digit runs alone", () => {
    for (const t of ["Обращение № 1 030 026", "до 06.12.2026", "ИНН 7707083893", "счёт 880055535351234"]) {
      expect(pieces(t).every((p) => p.kind === "text")).toBe(true);
    }
  });
});
