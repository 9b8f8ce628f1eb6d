// «Was this article helpful?»: one vote per article per address a day (and per browser session), changeable, an
// overall daily limit per address, and the address itself never stored.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { kbFeedback } from "./db-schema.ts";
import { castVote, clientKey } from "./votes.ts";

// The documented limit: votes on 20 different articles a day from one address.
const DAILY_ARTICLES_PER_ADDRESS = 20;

let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let slugs: string[];

beforeAll(async () => {
  s = await createTestServer();
  operator = await s.staff("operator", { department: "first_line" });
  const categories = (await s.app.inject({ method: "GET", url: "/api/v1/kb/categories" })).json() as {
    articles: { slug: string }[];
  }[];
  slugs = categories.flatMap((c) => c.articles.map((a) => a.slug));
});
afterAll(() => s?.close());

const vote = (slug: string, helpful: boolean, remoteAddress: string, cookie?: string) =>
  s.app.inject({
    method: "POST",
    url: `/api/v1/kb/articles/${slug}/feedback`,
    payload: { helpful },
    remoteAddress,
    ...(cookie ? { headers: { cookie } } : {}),
  });
const counts = async (slug: string) =>
  (await s.app.inject({ method: "GET", url: `/api/v1/kb/articles/${slug}`, headers: operator })).json().helpful as {
    yes: number;
    no: number;
  };
const cookieOf = (r: Awaited<ReturnType<typeof vote>>) => String(r.headers["set-cookie"] ?? "").split(";")[0]!;

describe("the client behind an address", () => {
  it("is the IPv4 address, or the /64 of an IPv6 one", () => {
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});

describe("knowledge-base feedback", () => {
  it("40 votes from one address count once; the last one stands", async () => {
    const slug = slugs[0]!;
    for (let i = 0; i < 40; i++) {
      const r = await vote(slug, i % 2 === 0, "203.0.113.7");
      expect(r.statusCode).toBe(204);
    }
    expect(await counts(slug)).toEqual({ yes: 0, no: 1 });
  });

  it("a burst in parallel from one address counts once, and passes the daily limit by not one article", async () => {
    const burst = await Promise.all(Array.from({ length: 40 }, () => vote(slugs[3]!, true, "203.0.113.50")));
    expect(burst.every((r) => r.statusCode === 204)).toBe(true);
    expect(await counts(slugs[3]!)).toEqual({ yes: 1, no: 0 });
    const spread = await Promise.all(slugs.slice(4, 29).map((slug) => vote(slug, false, "203.0.113.51")));
    expect(spread.filter((r) => r.statusCode === 204)).toHaveLength(DAILY_ARTICLES_PER_ADDRESS);
    expect(spread.filter((r) => r.statusCode === 429)).toHaveLength(25 - DAILY_ARTICLES_PER_ADDRESS);
  });

  it("different addresses count separately", async () => {
    const slug = slugs[1]!;
    for (const address of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      expect((await vote(slug, true, address)).statusCode).toBe(204);
    }
    expect((await vote(slug, false, "2001:db8::1")).statusCode).toBe(204);
    expect(await counts(slug)).toEqual({ yes: 3, no: 1 });
  });

  it("a browser session that changes address changes its vote instead of adding one", async () => {
    const slug = slugs[2]!;
    const first = await vote(slug, true, "192.0.2.10");
    expect(first.statusCode).toBe(204);
    const cookie = cookieOf(first);
    expect(cookie).toMatch(/=/);
    expect((await vote(slug, false, "192.0.2.11", cookie)).statusCode).toBe(204);
    expect(await counts(slug)).toEqual({ yes: 0, no: 1 });
  });

  it("over the daily limit per address: 429 with Retry-After and a Russian message; changing a vote still works", async () => {
    const address = "203.0.113.99";
    for (const slug of slugs.slice(0, DAILY_ARTICLES_PER_ADDRESS)) {
      expect((await vote(slug, true, address)).statusCode).toBe(204);
    }
    const over = await vote(slugs[DAILY_ARTICLES_PER_ADDRESS]!, true, address);
    expect(over.statusCode).toBe(429);
    expect(over.headers["content-type"]).toContain("application/problem+json");
    const retryAfter = Number(over.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(over.json().code).toBe("kb_feedback_limit");
    expect(over.json().detail).toMatch(/С вашего адреса сегодня оценено 20 статей/);
    // A vote already given may still be changed: it adds nothing.
    expect((await vote(slugs[0]!, false, address)).statusCode).toBe(204);
    // Another address is not affected.
    expect((await vote(slugs[DAILY_ARTICLES_PER_ADDRESS]!, true, "203.0.113.100")).statusCode).toBe(204);
  });

  it("forgets who voted once the day is over", async () => {
    const slug = slugs[40]!;
    const yesterday = new Date(Date.now() - 86_400_000);
    await castVote(s.ctx.db, slug, true, { ip: "192.0.2.77", session: "a".repeat(43) }, yesterday);
    await castVote(s.ctx.db, slug, true, { ip: "192.0.2.77", session: "a".repeat(43) });
    const rows = await s.ctx.db.select().from(kbFeedback).where(eq(kbFeedback.slug, slug)).orderBy(kbFeedback.id);
    expect(rows.map((r) => [r.voter === null, r.sessionHash === null])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it("stores no address: only a keyed hash", async () => {
    const rows = (await s.ctx.db.execute(sql`select * from kb_feedback`)) as unknown as {
      rows: Record<string, unknown>[];
    };
    expect(rows.rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows.rows);
    for (const address of ["203.0.113.7", "198.51.100.1", "2001:db8::1", "192.0.2.10", "203.0.113.99"]) {
      expect(dump).not.toContain(address);
    }
  });
});
