import { describe, expect, it } from "vitest";
import { bareAddress, isAutoReply, SenderRateLimiter, suppressesAutoResponse } from "./autoreply.ts";

const person = { From: "Иван <ivan@example.ru>", "Return-Path": "<ivan@example.ru>" };

describe("isAutoReply", () => {
  it("lets a person's letter through", () => {
    expect(isAutoReply(person)).toEqual({ auto: false });
    expect(isAutoReply({ ...person, "Auto-Submitted": "no" })).toEqual({ auto: false });
    expect(isAutoReply({ ...person, Precedence: "first-class" })).toEqual({ auto: false });
  });

  it.each([
    [{ "Auto-Submitted": "auto-replied" }, "Auto-Submitted: auto-replied"],
    [{ "auto-submitted": "auto-generated; owner-email=x@y" }, "Auto-Submitted: auto-generated"],
    [{ Precedence: "bulk" }, "Precedence: bulk"],
    [{ Precedence: "Junk" }, "Precedence: junk"],
    [{ precedence: "list" }, "Precedence: list"],
    [{ "List-Id": "<news.example.ru>" }, "mailing list (List-Id)"],
    [{ "X-Autoreply": "yes" }, "x-autoreply"],
    [{ "Return-Path": "<>" }, "Return-Path <>"],
    [{ "Return-Path": ["<>"] }, "Return-Path <>"],
  ])("%o is automatic", (extra, reason) => {
    expect(isAutoReply({ ...person, ...extra })).toEqual({ auto: true, reason });
  });

  it("reads X-Auto-Response-Suppress as a wish for no automatic answer, not as a machine's letter", () => {
    const headers = { ...person, "X-Auto-Response-Suppress": "OOF, AutoReply" };
    expect(isAutoReply(headers)).toEqual({ auto: false });
    expect(suppressesAutoResponse(headers)).toBe(true);
    expect(suppressesAutoResponse({ ...person, "X-Auto-Response-Suppress": "DR, RN" })).toBe(false);
    expect(suppressesAutoResponse(person)).toBe(false);
  });

  it("recognises bounces and system senders", () => {
    expect(isAutoReply({ From: "Mail Delivery System <MAILER-DAEMON@mx.example.ru>" }).auto).toBe(true);
    expect(isAutoReply({ From: "postmaster@example.ru" }).auto).toBe(true);
    expect(isAutoReply({ From: "noreply@bank.example" }).auto).toBe(true);
    expect(isAutoReply({ From: "a@b.ru", "Content-Type": "multipart/report; report-type=delivery-status" }).auto).toBe(
      true,
    );
    expect(isAutoReply({ From: "postmaster.ivanov@example.ru" }).auto).toBe(false);
  });

  it("recognises our own address as an echo", () => {
    const own = ["support@otklik.example"];
    expect(isAutoReply({ From: "Поддержка <Support@Otklik.example>" }, own)).toEqual({
      auto: true,
      reason: "from our own address",
    });
    expect(isAutoReply({ From: "ivan@example.ru" }, own).auto).toBe(false);
  });

  it("reads bare addresses", () => {
    expect(bareAddress("Иван <Ivan@Example.ru>")).toBe("ivan@example.ru");
    expect(bareAddress("<>")).toBe("");
    expect(bareAddress(" ivan@example.ru ")).toBe("ivan@example.ru");
  });
});

describe("SenderRateLimiter", () => {
  it("allows `limit` letters per window per sender, then refuses until the window slides", () => {
    let now = 0;
    const limiter = new SenderRateLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3, 4].map(() => limiter.allow("robot@example.ru"))).toEqual([true, true, true, false]);
    expect(limiter.allow("Robot <ROBOT@example.ru>")).toBe(false); // the same sender, written differently
    expect(limiter.allow("person@example.ru")).toBe(true);
    now = 59_999;
    expect(limiter.allow("robot@example.ru")).toBe(false);
    now = 60_000;
    expect(limiter.allow("robot@example.ru")).toBe(true);
    expect(limiter.allow("robot@example.ru")).toBe(true);
    expect(limiter.allow("robot@example.ru")).toBe(true);
    expect(limiter.allow("robot@example.ru")).toBe(false);
  });

  it("stays bounded under many senders", () => {
    let now = 0;
    const limiter = new SenderRateLimiter({ limit: 1, windowMs: 10, now: () => now });
    for (let i = 0; i < 25_000; i++) {
      now = i;
      limiter.allow(`s${i}@example.ru`);
    }
    expect((limiter as unknown as { hits: Map<string, number[]> }).hits.size).toBeLessThanOrEqual(10_001);
  });

  it("refuses nonsense settings", () => {
    expect(() => new SenderRateLimiter({ limit: 0, windowMs: 1 })).toThrow(RangeError);
  });
});
