// The operator's queue through the API: the default order (what needs action first), sortable columns, keyset pages,
// filters, views with their counters, and changes of many requests at once.
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { requestHistory, requests } from "../schema.ts";

let s: TestServer;
type Who = Awaited<ReturnType<TestServer["staff"]>>;
let supervisor: Who;
let operator: Who;
let specialist: Who;
let colleague: Who;

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function submit(text: string, category = "information"): Promise<string> {
  const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, category } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().number;
}

/** Sets a request's columns directly: due times in the past are what the queue must put first. */
async function set(number: string, values: Partial<typeof requests.$inferInsert>) {
  await s.ctx.db.update(requests).set(values).where(eq(requests.number, number));
}

const get = async (who: Who, url: string) => {
  const res = await s.app.inject({ method: "GET", url, headers: { authorization: who.authorization } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

const list = (who: Who, query = "") => get(who, `/api/v1/requests?${query}`);
const numbersOf = (page: { items: { number: string }[] }) => page.items.map((i) => i.number);

// A small registry of its own in a department nobody else in this file uses: every list below is filtered to it.
const n = {} as Record<"ancient" | "hour" | "soon" | "later" | "waiting" | "resolved" | "call", string>;

beforeAll(async () => {
  s = await createTestServer();
  supervisor = await s.staff("supervisor");
  operator = await s.staff("operator", { department: "first_line" });
  colleague = await s.staff("operator", { department: "first_line" });
  specialist = await s.staff("specialist", { department: "e_signature" });
  const now = Date.now();
  n.ancient = await submit("Заявление висит с весны, никто не ответил");
  n.hour = await submit("Просрочено на час: не пришёл код");
  n.soon = await submit("Срок через два часа: вопрос о статусе");
  n.later = await submit("Срок завтра: уточнение реквизитов");
  n.waiting = await submit("Ждём документы от заявителя");
  n.resolved = await submit("Уже решено");
  n.call = await submit("Звонок");
  await set(n.ancient, {
    firstResponseDueAt: new Date(now - 283 * DAY),
    resolutionDueAt: new Date(now - 282 * DAY),
    createdAt: new Date(now - 290 * DAY),
  });
  await set(n.hour, { firstResponseDueAt: new Date(now - HOUR), resolutionDueAt: new Date(now + DAY) });
  await set(n.soon, { firstResponseDueAt: new Date(now + 2 * HOUR), resolutionDueAt: new Date(now + 3 * DAY) });
  await set(n.later, {
    firstRespondedAt: new Date(now - HOUR),
    firstResponseDueAt: new Date(now - 2 * HOUR),
    resolutionDueAt: new Date(now + DAY),
    priority: "urgent",
  });
  // Waiting for the applicant stops the clock: not overdue, after everything that needs action.
  await set(n.waiting, { status: "waiting", resolutionDueAt: new Date(now - 10 * DAY) });
  await set(n.resolved, { status: "resolved", resolutionDueAt: new Date(now - 20 * DAY) });
  // A call has no subject: the queue shows the first words of what was said.
  await set(n.call, {
    subject: "",
    firstResponseDueAt: new Date(now + 5 * DAY),
    resolutionDueAt: new Date(now + 6 * DAY),
  });
  await s.ctx.db
    .update(requests)
    .set({ departmentId: null })
    .where(inArray(requests.number, Object.values(n)));
}, 60_000);
afterAll(() => s?.close());

const ours = (items: string[]) => items.filter((x) => Object.values(n).includes(x));

describe("the queue's order", () => {
  it("puts what needs action first: overdue (the oldest debt on top), then due soonest, waiting last", async () => {
    const page = await list(supervisor, "status=new&status=in_progress&status=waiting&status=escalated&limit=200");
    expect(ours(numbersOf(page))).toEqual([n.ancient, n.hour, n.soon, n.later, n.call, n.waiting]);
    const byNumber = new Map(page.items.map((i: { number: string }) => [i.number, i]));
    expect(byNumber.get(n.ancient)).toMatchObject({ overdue: true });
    expect(byNumber.get(n.waiting)).toMatchObject({ overdue: false });
  });

  it("shows the first words of the text for a request without a subject", async () => {
    const page = await list(supervisor, "q=Звонок");
    const call = page.items.find((i: { number: string }) => i.number === n.call);
    expect(call).toMatchObject({ subject: "", preview: "Звонок" });
    const other = (await list(supervisor, "limit=200")).items.find((i: { number: string }) => i.number === n.soon);
    expect(other.preview).toBeNull();
  });

  it("sorts by a column in either direction, the id breaking ties", async () => {
    const all = "limit=200";
    const byPriority = ours(numbersOf(await list(supervisor, `${all}&sort=priority&dir=desc`)));
    expect(byPriority[0]).toBe(n.later);
    const created = ours(numbersOf(await list(supervisor, `${all}&sort=created&dir=asc`)));
    expect(created).toEqual(Object.values(n));
    const createdDesc = ours(numbersOf(await list(supervisor, `${all}&sort=created`)));
    expect(createdDesc).toEqual([...Object.values(n)].reverse());
    const byStatus = ours(numbersOf(await list(supervisor, `${all}&sort=status&dir=asc`)));
    expect(byStatus.indexOf(n.resolved)).toBe(byStatus.length - 1);
    expect(byStatus.indexOf(n.waiting)).toBeGreaterThan(byStatus.indexOf(n.ancient));
  });

  it("pages by cursor through the same order without gaps or repeats, in every sort", async () => {
    for (const sort of ["due", "created", "updated", "priority", "status", "category", "channel"]) {
      for (const dir of ["asc", "desc"]) {
        const whole = numbersOf(await list(supervisor, `limit=200&sort=${sort}&dir=${dir}`));
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(supervisor, `limit=2&sort=${sort}&dir=${dir}${cursor ? `&cursor=${cursor}` : ""}`);
          paged.push(...numbersOf(page));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged, `${sort} ${dir}`).toEqual(whole);
      }
    }
  });

  it("refuses a cursor of another order or a broken one with a clear 400", async () => {
    const page = await list(supervisor, "limit=1&sort=due");
    for (const url of [
      `/api/v1/requests?sort=created&cursor=${page.nextCursor}`,
      "/api/v1/requests?cursor=AAAA",
      `/api/v1/requests?cursor=${Buffer.from('["due","asc","x; drop table requests",1]').toString("base64url")}`,
      // The shape of a moment, but no moment: month 13, hour 25.
      `/api/v1/requests?cursor=${Buffer.from('["due","asc","2026-13-01 25:00:00+00",1]').toString("base64url")}`,
      `/api/v1/requests?cursor=${Buffer.from('["updated","asc","2026-02-30 10:00:00+03",1]').toString("base64url")}`,
    ]) {
      const res = await s.app.inject({ method: "GET", url, headers: { authorization: supervisor.authorization } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ code: "invalid_cursor" });
      expect(res.json().detail).toMatch(/Откройте очередь с начала/);
    }
  });

  it("filters as the address says: overdue, status, category, assignee", async () => {
    expect(ours(numbersOf(await list(supervisor, "overdue=true&limit=200")))).toEqual([n.ancient, n.hour]);
    expect(ours(numbersOf(await list(supervisor, "status=waiting&limit=200")))).toEqual([n.waiting]);
    await set(n.soon, { category: null });
    expect(ours(numbersOf(await list(supervisor, "category=none&limit=200")))).toEqual([n.soon]);
    await set(n.soon, { category: "information" });
  });
});

describe("views", () => {
  it("gives every employee the built-in views with live counters", async () => {
    const before = (await get(operator, "/api/v1/requests/views")).views;
    expect(before.map((v: { id: string }) => v.id)).toEqual(["open", "mine", "overdue", "waiting", "uncategorised"]);
    expect(before.map((v: { name: string }) => v.name)).toEqual([
      "Все открытые",
      "Мои",
      "Просроченные",
      "Ждут ответа заявителя",
      "Без категории",
    ]);
    const count = (views: { id: string; count: number }[], id: string) => views.find((v) => v.id === id)!.count;
    await set(n.soon, { assigneeId: operator.id });
    const after = (await get(operator, "/api/v1/requests/views")).views;
    expect(count(after, "mine")).toBe(count(before, "mine") + 1);
    expect(count(after, "overdue")).toBe(count(before, "overdue"));
    await set(n.soon, { assigneeId: null });
  });

  it("saves a personal view, shares one with the department, and keeps each where it belongs", async () => {
    const save = (who: Who, payload: object) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/requests/views",
        headers: { authorization: who.authorization },
        payload,
      });
    const mine = await save(operator, { name: "Срочные мои", filters: { mine: "1", sort: "priority", dir: "desc" } });
    expect(mine.statusCode, mine.body).toBe(201);
    const shared = await save(operator, {
      name: "Ждут ответа",
      filters: { status: "waiting" },
      department: "first_line",
    });
    expect(shared.statusCode, shared.body).toBe(201);
    // An operator shares only with their own department; a supervisor with any.
    const elsewhere = await save(operator, { name: "Чужое", filters: {}, department: "e_signature" });
    expect(elsewhere.statusCode).toBe(403);
    expect((await save(supervisor, { name: "Подпись", filters: {}, department: "e_signature" })).statusCode).toBe(201);
    // A view's filters are the address's words and nothing else.
    const bad = await save(operator, { name: "Плохо", filters: { status: "nonsense" } });
    expect(bad.statusCode).toBe(400);
    expect((await save(operator, { name: "Плохо", filters: { evil: "1" } })).statusCode).toBe(400);

    const names = async (who: Who) =>
      (await get(who, "/api/v1/requests/views")).views
        .filter((v: { kind: string }) => v.kind !== "default")
        .map((v: { name: string; kind: string }) => `${v.kind}:${v.name}`);
    expect(await names(operator)).toEqual(["personal:Срочные мои", "shared:Ждут ответа"]);
    expect(await names(colleague)).toEqual(["shared:Ждут ответа"]);
    expect(await names(specialist)).toEqual(["shared:Подпись"]);

    const waiting = (await get(colleague, "/api/v1/requests/views")).views.find(
      (v: { name: string }) => v.name === "Ждут ответа",
    );
    expect(waiting.count).toBeGreaterThanOrEqual(1);
    expect(waiting.removable).toBe(false);

    // Removing: not another's view (it is not there for the colleague to remove), then by its author.
    const id = shared.json().id;
    const del = (who: Who, viewId: string) =>
      s.app.inject({
        method: "DELETE",
        url: `/api/v1/requests/views/${viewId}`,
        headers: { authorization: who.authorization },
      });
    expect((await del(colleague, id)).statusCode).toBe(403);
    expect((await del(colleague, mine.json().id)).statusCode).toBe(404);
    expect((await del(operator, id)).statusCode).toBe(200);
    expect(await names(colleague)).toEqual([]);
  });

  it("lists the numbers of a whole view for «select all»", async () => {
    const res = await get(supervisor, "/api/v1/requests/numbers?overdue=true");
    expect(ours(res.numbers)).toEqual([n.ancient, n.hour]);
    expect(res.truncated).toBe(false);
  });
});

describe("bulk changes", () => {
  const bulk = (who: Who, payload: object) =>
    s.app.inject({
      method: "POST",
      url: "/api/v1/requests/bulk",
      headers: { authorization: who.authorization },
      payload,
    });

  const historyOf = async (number: string, action: string) => {
    const [row] = await s.ctx.db.select({ id: requests.id }).from(requests).where(eq(requests.number, number));
    const rows = await s.ctx.db.select().from(requestHistory).where(eq(requestHistory.requestId, row!.id));
    return rows.filter((r) => r.action === action);
  };

  it("changes each request with one history row, and lists what failed with the reason", async () => {
    const fresh = await Promise.all([1, 2, 3].map((i) => submit(`Массовое изменение ${i}`)));
    await set(fresh[2]!, { status: "closed" });
    const res = await bulk(operator, {
      numbers: [...fresh, "100000000"],
      action: { type: "status", status: "in_progress" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.changed).toEqual([fresh[0], fresh[1]]);
    expect(body.failed.map((f: { number: string; code: string }) => [f.number, f.code])).toEqual([
      [fresh[2], "illegal_transition"],
      ["100000000", "not_found"],
    ]);
    expect(body.summary).toBe("Изменены 2 обращения из 4; 2 не изменены.");
    for (const number of fresh.slice(0, 2)) {
      const [row] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
      expect(row!.status).toBe("in_progress");
      expect(await historyOf(number, "status_changed")).toHaveLength(1);
    }
    const [closed] = await s.ctx.db.select().from(requests).where(eq(requests.number, fresh[2]!));
    expect(closed!.status).toBe("closed");
  });

  it("changes only what the employee may see: another department's request is «not found»", async () => {
    const theirs = await submit("Ошибка подписи документа", "e_signature");
    const open = await submit("Вопрос первой линии");
    const res = await bulk(operator, { numbers: [theirs, open], action: { type: "priority", priority: "high" } });
    const body = res.json();
    expect(body.changed).toEqual([open]);
    expect(body.failed).toEqual([{ number: theirs, code: "not_found", message: "Обращение не найдено." }]);
    const [row] = await s.ctx.db.select().from(requests).where(eq(requests.number, theirs));
    expect(row!.priority).toBe("normal");
    expect(body.summary).toBe("Изменено 1 обращение из 2; 1 не изменено.");
  });

  it("assigns, recategorises and escalates, each with its history", async () => {
    const pair = await Promise.all([submit("Первое для назначения"), submit("Второе для назначения")]);
    const assign = (
      await bulk(operator, { numbers: pair, action: { type: "assign", assigneeId: colleague.id } })
    ).json();
    expect(assign.summary).toBe("Изменены 2 обращения.");
    const rows = await s.ctx.db.select().from(requests).where(inArray(requests.number, pair));
    expect(rows.map((r) => r.assigneeId)).toEqual([colleague.id, colleague.id]);
    const cat = (await bulk(operator, { numbers: pair, action: { type: "category", category: "technical" } })).json();
    expect(cat.changed).toEqual(pair);
    const esc = await bulk(operator, {
      numbers: pair,
      action: { type: "escalate", department: "applications", reason: "Нужна проверка заявлений" },
    });
    expect(esc.json().changed).toEqual(pair);
    for (const number of pair) expect(await historyOf(number, "escalated")).toHaveLength(1);
  });

  it("refuses more than 500 requests, an unknown category or department, before changing anything", async () => {
    const many = Array.from({ length: 501 }, (_, i) => String(100000 + i));
    const tooMany = await bulk(operator, { numbers: many, action: { type: "priority", priority: "low" } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: "bulk_too_large" });
    expect(tooMany.json().detail).toBe(
      "За один раз можно изменить не больше 500 обращений, а выбрано 501. Выберите меньше.",
    );
    const cat = await bulk(operator, { numbers: [n.soon], action: { type: "category", category: "nonsense" } });
    expect(cat.statusCode).toBe(400);
    const dept = await bulk(operator, {
      numbers: [n.soon],
      action: { type: "escalate", department: "nowhere", reason: "Проверка" },
    });
    expect(dept.statusCode).toBe(400);
    expect((await bulk(operator, { numbers: [], action: { type: "priority", priority: "low" } })).statusCode).toBe(400);
  });
});

describe("counting a big list", () => {
  it("stops at 10 000 and says there are more", async () => {
    await s.ctx.db.execute(
      sql`insert into requests (number, tracking_token_hash, channel, status)
        select (9000000 + g)::text, md5('bench' || g), 'web', 'closed' from generate_series(1, 10001) g`,
    );
    const page = await list(supervisor, "status=closed&limit=1");
    expect(page).toMatchObject({ total: 10_000, totalCapped: true });
    const few = await list(supervisor, "status=waiting&limit=1");
    expect(few.totalCapped).toBe(false);
  });
});
