// One rating per request: a second POST is refused and keeps the first; a change is explicit (PUT), and the
// history keeps every rating with its comment while statistics read the current one.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";

let s: TestServer;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer();
  supervisor = await s.staff("supervisor");
});
afterAll(() => s?.close());

const staff = (method: "GET" | "POST", url: string, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: supervisor.authorization }, payload });
const rate = (token: string, method: "POST" | "PUT", payload: object) =>
  s.app.inject({ method, url: `/api/v1/track/${token}/rating`, payload });
const track = async (token: string) => (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();

/** A resolved request and its tracking token. */
async function resolvedRequest() {
  const r = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: "Не могу изменить номер телефона в профиле", contact: { email: "rating@example.ru" } },
  });
  expect(r.statusCode).toBe(201);
  const { number, trackingUrl } = r.json() as { number: string; trackingUrl: string };
  for (const status of ["in_progress", "resolved"]) {
    expect((await staff("POST", `/requests/${number}/status`, { status })).statusCode).toBe(200);
  }
  return { number, token: trackingUrl.split("/").pop()! };
}

describe("rating a request", () => {
  it("refuses a second rating without an explicit change (409, Russian), and keeps the first with its comment", async () => {
    const { token } = await resolvedRequest();
    expect((await rate(token, "POST", { score: 5, comment: "Быстро помогли" })).statusCode).toBe(200);
    const again = await rate(token, "POST", { score: 1, comment: "Передумал" });
    expect(again.statusCode).toBe(409);
    expect(again.headers["content-type"]).toContain("application/problem+json");
    expect(again.json().code).toBe("already_rated");
    expect(again.json().detail).toMatch(/уже оценено.*Изменить оценку/s);
    expect((await track(token)).rating).toEqual({ score: 5, comment: "Быстро помогли" });
  });

  it("changes the rating explicitly (PUT): the history keeps both ratings with their comments", async () => {
    const { number, token } = await resolvedRequest();
    expect((await rate(token, "POST", { score: 5, comment: "Быстро помогли" })).statusCode).toBe(200);
    const changed = await rate(token, "PUT", { score: 2, comment: "Через день всё сломалось снова" });
    expect(changed.statusCode).toBe(200);
    expect((await track(token)).rating).toEqual({ score: 2, comment: "Через день всё сломалось снова" });
    const detail = (await staff("GET", `/requests/${number}`)).json();
    expect(detail).toMatchObject({ rating: 2, ratingComment: "Через день всё сломалось снова" });
    const history = (detail.history as { action: string; actorType: string; changes: object }[]).filter((h) =>
      h.action.startsWith("rat"),
    );
    expect(history).toEqual([
      expect.objectContaining({
        action: "rated",
        actorType: "applicant",
        changes: { score: 5, comment: "Быстро помогли" },
      }),
      expect.objectContaining({
        action: "rating_changed",
        actorType: "applicant",
        changes: { score: [5, 2], comment: "Через день всё сломалось снова" },
      }),
    ]);
    // The same rating sent again changes nothing and adds no history.
    expect((await rate(token, "PUT", { score: 2, comment: "Через день всё сломалось снова" })).statusCode).toBe(200);
    const after = (await staff("GET", `/requests/${number}`)).json().history as { action: string }[];
    expect(after.filter((h) => h.action.startsWith("rat"))).toHaveLength(2);
  });

  it("statistics read the current rating, not the first", async () => {
    const { token } = await resolvedRequest();
    await rate(token, "POST", { score: 4, comment: "Хорошо" });
    await rate(token, "PUT", { score: 1, comment: "Ответ оказался неверным" });
    const today = DateTime.now().setZone("Europe/Moscow").toISODate();
    const board = await staff("GET", `/analytics/period?from=${today}&to=${today}`);
    expect(board.statusCode).toBe(200);
    // The requests of this file rated now: 5 (kept after a refused second POST), 5 → 2, 4 → 1.
    expect(board.json().summary.rating).toEqual({ count: 3, average: 2.67, distribution: [1, 1, 0, 0, 1] });
    const comments = (await staff("GET", `/analytics/comments?from=${today}&to=${today}`)).json() as {
      rating: number;
      comment: string;
    }[];
    const pairs = comments.map((c) => [c.rating, c.comment]);
    expect(pairs).toContainEqual([1, "Ответ оказался неверным"]);
    expect(pairs).not.toContainEqual([4, "Хорошо"]);
  });
});
