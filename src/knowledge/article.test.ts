import { describe, expect, it } from "vitest";
import { DEFAULT_KB_DIR } from "./cli.ts";
import { type KnowledgeError, loadArticlesFromDir, parseArticle, plainText } from "./index.ts";

const sample = `---
title: "Проверка: заголовок с двоеточием"
summary: Кратко.
category: access
audience: [citizen]
tags: [пароль]
synonyms: [забыл пароль]
---
# Заголовок

Текст со [ссылкой](/contacts) и **жирным**.
`;

describe("parseArticle", () => {
  it("reads the front matter and the body, with defaults for status and visibility", () => {
    const a = parseArticle(sample, "check");
    expect(a).toMatchObject({
      slug: "check",
      title: "Проверка: заголовок с двоеточием",
      category: "access",
      audience: ["citizen"],
      tags: ["пароль"],
      synonyms: ["забыл пароль"],
      status: "published",
      visibility: "public",
    });
    expect(plainText(a.body)).toBe("Заголовок\n\nТекст со ссылкой и жирным.");
  });

  it("names the field and a stable code when the front matter is wrong", () => {
    const bad = (md: string) => {
      try {
        parseArticle(md, "x");
      } catch (e) {
        return e as KnowledgeError;
      }
      throw new Error("parsed");
    };
    expect(bad("без заголовка").code).toBe("kb.front_matter_missing");
    expect(bad(sample.replace("category: access", "category: passwords")).code).toBe("kb.field_invalid");
    expect(bad(sample.replace("category: access", "category: passwords")).message).toContain("category");
    expect(bad(sample.replace("audience: [citizen]", "audience: [robot]")).message).toContain("audience");
    expect(bad(sample.replace("title:", "title: [")).code).toBe("kb.front_matter_invalid");
  });
});

describe("the shipped knowledge base", async () => {
  const articles = await loadArticlesFromDir(DEFAULT_KB_DIR);
  const bySlug = new Map(articles.map((a) => [a.slug, a]));
  const required = `sms-code-not-received, password-recovery, account-locked, code-expired, login-errors,
    identity-confirmation, change-phone-number, change-email, application-statuses, application-stuck,
    additional-documents, application-rejected, fill-application, upload-documents, electronic-signature,
    support-phone-numbers, call-from-abroad, regional-support, phone-services-without-login, prepare-for-call,
    call-interrupted, portal-unavailable, page-displays-incorrectly, clear-browser-cache,
    organization-registration, representative-authority, account-statement-certificate, entrepreneur-support,
    email-support, online-chat, feedback-form, rate-service, personal-data-protection`
    .split(/[\s,]+/)
    .filter(Boolean);

  it("has every article the product promises, ten more, and a few internal ones", () => {
    for (const slug of required) expect(bySlug.get(slug)?.visibility, slug).toBe("public");
    const published = articles.filter((a) => a.status === "published" && a.visibility === "public");
    expect(published.length).toBeGreaterThanOrEqual(required.length + 10);
    const internal = articles.filter((a) => a.visibility === "internal").length;
    expect(internal).toBeGreaterThanOrEqual(2);
    expect(internal).toBeLessThanOrEqual(3);
  });
});
