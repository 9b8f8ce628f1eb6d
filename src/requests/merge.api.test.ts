// Merging a duplicate into another request, splitting an applicant's message off into a new one, and related
// requests, through the staff API: what moves, what each side's history says, what the applicant hears (once), where
// the old number and the old tracking link lead, and who may do it.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emailOutbox } from "../channels/email/db-schema.ts";
import { smsOutbox } from "../channels/sms/db-schema.ts";
import { displayRequestNumber } from "../text/display.ts";
import { requestRowByNumber } from "./queries.ts";
import { attachments, messages, requestHistory } from "./schema.ts";

let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer();
  // A supervisor sees every request, wherever the classifier sent it; access is the subject of its own test.
  operator = await s.staff("supervisor");
});
afterAll(() => s?.close());

type Who = { authorization: string };
const api = (who: Who, method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, payload });

const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

async function submit(text: string, contact: object, file = false) {
  let res: Awaited<ReturnType<typeof s.app.inject>>;
  if (file) {
    const f = new FormData();
    f.append("data", JSON.stringify({ text, contact }));
    f.append("files", new Blob([png], { type: "image/png" }), "скрин.png");
    // FormData is what inject sends as multipart; its type is not in inject's own.
    res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: f as never });
  } else {
    res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, contact } });
  }
  expect(res.statusCode).toBe(201);
  const body = res.json() as { number: string; trackingUrl: string };
  return { number: body.number, token: body.trackingUrl.split("/").pop()! };
}

const idOf = async (number: string) => (await requestRowByNumber(s.ctx.db, number))!.id;
const actions = async (number: string) =>
  (
    await s.ctx.db
      .select({ action: requestHistory.action, changes: requestHistory.changes })
      .from(requestHistory)
      .where(eq(requestHistory.requestId, await idOf(number)))
      .orderBy(asc(requestHistory.id))
  ).map((h) => h.action);

/** Runs the outbox until it is empty (twice: a delivery repeated must not repeat the notice). */
async function drain() {
  await s.ctx.worker.kick();
  await s.ctx.worker.kick();
}

describe("merge", () => {
  it("moves messages and files, closes the duplicate with a history row on both, tells its applicant once", async () => {
    const contact = { name: "Пётр", email: "petr.merge@example.ru", phone: "+7 912 000-11-22" };
    const target = await submit("Не могу войти в личный кабинет, пишет «ошибка 500».", contact);
    const source = await submit("Второй раз пишу: вход не работает, прикладываю скриншот.", contact, true);
    expect(
      (await api(operator, "POST", `/requests/${source.number}/messages`, { body: "Проверяем.", visibility: "note" }))
        .statusCode,
    ).toBe(200);
    await drain();
    const sourceId = await idOf(source.number);
    const before = await s.ctx.db.select().from(messages).where(eq(messages.requestId, sourceId));
    expect(before).toHaveLength(2);

    const res = await api(operator, "POST", `/requests/${source.number}/merge`, { into: target.number });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ number: source.number, into: target.number, messages: 2, files: 1 });

    const targetId = await idOf(target.number);
    const moved = await s.ctx.db.select().from(messages).where(eq(messages.requestId, targetId));
    expect(moved.map((m) => m.id)).toEqual(expect.arrayContaining(before.map((m) => m.id)));
    expect(await s.ctx.db.select().from(messages).where(eq(messages.requestId, sourceId))).toHaveLength(0);
    const files = await s.ctx.db.select().from(attachments).where(eq(attachments.requestId, targetId));
    expect(files.map((f) => f.filename)).toEqual(["скрин.png"]);

    const closed = await requestRowByNumber(s.ctx.db, source.number);
    expect(closed).toMatchObject({ status: "closed", mergedIntoId: targetId });
    expect(closed!.closedAt).not.toBeNull();
    expect((await actions(source.number)).at(-1)).toBe("merged");
    expect((await actions(target.number)).at(-1)).toBe("merged_from");
    const [fromRow] = await s.ctx.db
      .select({ changes: requestHistory.changes })
      .from(requestHistory)
      .where(and(eq(requestHistory.requestId, targetId), eq(requestHistory.action, "merged_from")));
    expect(fromRow!.changes).toMatchObject({ from: source.number, messages: 2, files: 1 });

    // The duplicate's applicant hears of it once per medium, and the notice names the request it went into.
    await drain();
    const letters = await s.ctx.db.select().from(emailOutbox).where(eq(emailOutbox.requestId, sourceId));
    const merged = letters.filter((l) => /объединено/.test(l.subject));
    expect(merged).toHaveLength(1);
    const texts = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.requestId, sourceId));
    expect(texts.filter((t) => t.kind === "merged")).toHaveLength(1);
    // The closing of the duplicate is not a second notice.
    expect(letters.filter((l) => /закрыт/i.test(l.subject))).toHaveLength(0);
    // The target's applicant is told nothing new by the merge.
    const targetLetters = await s.ctx.db.select().from(emailOutbox).where(eq(emailOutbox.requestId, targetId));
    expect(targetLetters.filter((l) => /объединено/.test(l.subject))).toHaveLength(0);

    // The old number leads to the target: the staff API redirects, the detail lists the duplicate.
    const old = await api(operator, "GET", `/requests/${source.number}`);
    expect(old.statusCode).toBe(308);
    expect(old.headers.location).toBe(`/api/v1/requests/${target.number}`);
    const detail = (await api(operator, "GET", `/requests/${target.number}`)).json();
    expect(detail.mergedFrom).toEqual([source.number]);
    expect(detail.messages).toHaveLength(3);

    // Acting on the old number says where work goes on.
    const late = await api(operator, "POST", `/requests/${source.number}/messages`, {
      body: "Ответ",
      visibility: "public",
    });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: "request_merged", into: target.number });
    expect(late.json().detail).toMatch(/объединено с обращением/);

    // The applicant's old link shows the target's page (same applicant) and their reply lands there.
    const tracked = (await s.app.inject({ method: "GET", url: `/api/v1/track/${source.token}` })).json();
    expect(tracked).toMatchObject({ number: target.number, mergedFrom: source.number, mergedInto: null });
    expect(tracked.messages.map((m: { body: string }) => m.body)).toContain(
      "Второй раз пишу: вход не работает, прикладываю скриншот.",
    );
    const replied = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${source.token}/messages`,
      payload: { text: "Спасибо, жду ответа." },
    });
    expect(replied.statusCode).toBe(200);
    const last = await s.ctx.db
      .select({ requestId: messages.requestId })
      .from(messages)
      .where(eq(messages.body, "Спасибо, жду ответа."));
    expect(last).toEqual([{ requestId: targetId }]);
  });

  it("shows another applicant's duplicate its own words and files and a pointer, never the target's conversation", async () => {
    const target = await submit("Не приходит код подтверждения.", { email: "one.applicant@example.ru" });
    const source = await submit("Не приходит код подтверждения на телефон.", { email: "another@example.ru" }, true);
    expect((await api(operator, "POST", `/requests/${source.number}/merge`, { into: target.number })).statusCode).toBe(
      200,
    );
    // The target's conversation goes on after the merge: none of it reaches the duplicate's applicant.
    expect(
      (
        await api(operator, "POST", `/requests/${target.number}/messages`, {
          body: "Проверьте номер телефона.",
          visibility: "public",
        })
      ).statusCode,
    ).toBeLessThan(300);
    const tracked = (await s.app.inject({ method: "GET", url: `/api/v1/track/${source.token}` })).json();
    expect(tracked).toMatchObject({ number: source.number, mergedInto: target.number, status: "closed" });
    expect(tracked.canReply).toBe(false);
    expect(tracked.messages.map((m: { body: string }) => m.body)).toEqual([
      "Не приходит код подтверждения на телефон.",
    ]);
    const [file] = tracked.messages[0].attachments;
    expect(file).toMatchObject({ filename: "скрин.png", contentType: "image/png" });
    const download = await s.app.inject({
      method: "GET",
      url: `/api/v1/track/${source.token}/attachments/${file.id}`,
    });
    expect(download.statusCode).toBe(200);

    const reply = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${source.token}/messages`,
      payload: { text: "Код так и не пришёл." },
    });
    expect(reply.statusCode).toBe(409);
    expect(reply.json()).toMatchObject({ code: "request_merged" });
    expect(reply.json().detail).toContain(`№ ${displayRequestNumber(target.number)}`);
  });

  it("shows the target's applicant nothing of another applicant's merged duplicate: not its words, not its files", async () => {
    const target = await submit("Не работает запись к врачу через портал.", { email: "first.person@example.ru" });
    const source = await submit(
      "Запись к врачу не работает, вот скриншот.",
      { email: "second.person@example.ru" },
      true,
    );
    const mine = await submit(
      "Запись к врачу: пишу ещё раз, скриншот прилагаю.",
      { email: "first.person@example.ru" },
      true,
    );
    expect((await api(operator, "POST", `/requests/${source.number}/merge`, { into: target.number })).statusCode).toBe(
      200,
    );
    expect((await api(operator, "POST", `/requests/${mine.number}/merge`, { into: target.number })).statusCode).toBe(
      200,
    );
    const view = (await s.app.inject({ method: "GET", url: `/api/v1/track/${target.token}` })).json() as {
      messages: { body: string; attachments: { id: string }[] }[];
    };
    // The applicant's own duplicate went on here; the other person's stays with the operators.
    expect(view.messages.map((m) => m.body)).toEqual([
      "Не работает запись к врачу через портал.",
      "Запись к врачу: пишу ещё раз, скриншот прилагаю.",
    ]);
    const targetId = await idOf(target.number);
    const files = await s.ctx.db.select().from(attachments).where(eq(attachments.requestId, targetId));
    expect(files).toHaveLength(2);
    const shown = view.messages.flatMap((m) => m.attachments.map((a) => a.id));
    expect(shown).toHaveLength(1);
    const foreign = files.find((f) => !shown.includes(f.id))!;
    const download = await s.app.inject({
      method: "GET",
      url: `/api/v1/track/${target.token}/attachments/${foreign.id}`,
    });
    expect(download.statusCode).toBe(404);
    // The operators see every message of the request, wherever it was written.
    const staffView = (await api(operator, "GET", `/requests/${target.number}`)).json() as {
      messages: { body: string }[];
    };
    expect(staffView.messages.map((m) => m.body)).toContain("Запись к врачу не работает, вот скриншот.");
  });

  it("rates through a duplicate's link only the request the same applicant's conversation went on in", async () => {
    const contact = { email: "rates.merge@example.ru" };
    const target = await submit("Не пришёл ответ по заявлению о пособии.", contact);
    const same = await submit("Повторно: нет ответа по заявлению о пособии.", contact);
    const other = await submit("Нет ответа по заявлению о пособии, пишу за маму.", { email: "daughter@example.ru" });
    for (const dup of [same, other]) {
      expect((await api(operator, "POST", `/requests/${dup.number}/merge`, { into: target.number })).statusCode).toBe(
        200,
      );
    }
    const rate = (token: string) =>
      s.app.inject({ method: "POST", url: `/api/v1/track/${token}/rating`, payload: { score: 5 } });
    // Merged is closed, but nothing was answered yet: no rating through any link.
    expect((await rate(same.token)).json()).toMatchObject({ code: "not_resolved" });
    expect((await rate(other.token)).json()).toMatchObject({ code: "request_merged" });
    for (const status of ["in_progress", "resolved"]) {
      expect((await api(operator, "POST", `/requests/${target.number}/status`, { status })).statusCode).toBe(200);
    }
    expect((await rate(same.token)).statusCode).toBe(200);
    expect(await requestRowByNumber(s.ctx.db, target.number)).toMatchObject({ rating: 5 });
    expect(await requestRowByNumber(s.ctx.db, same.number)).toMatchObject({ rating: null });
    const refused = await rate(other.token);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "request_merged" });
    expect(await requestRowByNumber(s.ctx.db, other.number)).toMatchObject({ rating: null });
  });

  it("refuses a merge into itself, into a closed or merged request, and a circle, with stable codes", async () => {
    const a = await submit("Первое обращение о налоговом вычете.", { email: "a.merge@example.ru" });
    const b = await submit("Второе обращение о налоговом вычете.", { email: "a.merge@example.ru" });
    const c = await submit("Третье обращение о налоговом вычете.", { email: "a.merge@example.ru" });

    const self = await api(operator, "POST", `/requests/${a.number}/merge`, { into: a.number });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ code: "merge_self", detail: "Нельзя объединить обращение с самим собой." });

    expect((await api(operator, "POST", `/requests/${a.number}/merge`, { into: b.number })).statusCode).toBe(200);
    const circle = await api(operator, "POST", `/requests/${b.number}/merge`, { into: a.number });
    expect(circle.statusCode).toBe(409);
    expect(circle.json().code).toBe("merge_circular");
    expect(circle.json().detail).toMatch(/объединить их обратно нельзя/);

    const intoMerged = await api(operator, "POST", `/requests/${c.number}/merge`, { into: a.number });
    expect(intoMerged.statusCode).toBe(409);
    expect(intoMerged.json().code).toBe("merge_target_merged");

    // Closed: resolved, then closed.
    for (const status of ["resolved", "closed"]) {
      expect((await api(operator, "POST", `/requests/${b.number}/status`, { status })).statusCode).toBe(200);
    }
    const intoClosed = await api(operator, "POST", `/requests/${c.number}/merge`, { into: b.number });
    expect(intoClosed.statusCode).toBe(409);
    expect(intoClosed.json().code).toBe("merge_target_closed");
    expect(intoClosed.json().detail).toMatch(/закрыто/);

    const unknown = await api(operator, "POST", `/requests/${c.number}/merge`, { into: "100000" });
    expect(unknown.statusCode).toBe(404);
    const bad = await api(operator, "POST", `/requests/${c.number}/merge`, { into: "abc" });
    expect(bad.statusCode).toBe(400);
    // Nothing moved on a refusal.
    expect((await requestRowByNumber(s.ctx.db, c.number))!.status).toBe("new");
  });

  it("needs both requests in the employee's sight", async () => {
    const specialist = await s.staff("specialist", { department: "business" });
    const mine = await submit("Ошибка при оплате пошлины.", { email: "pay@example.ru" });
    const other = await submit("Ошибка при оплате госпошлины картой.", { email: "pay@example.ru" });
    const to = async (number: string, department: string) =>
      expect(
        (await api(operator, "POST", `/requests/${number}/escalate`, { department, reason: "По профилю" })).statusCode,
      ).toBe(200);
    await to(mine.number, "business");
    await to(other.number, "e_signature");
    expect((await api(specialist, "GET", `/requests/${mine.number}`)).statusCode).toBe(200);
    // The specialist sees only their department's: a merge into or from the other is «not found».
    const into = await api(specialist, "POST", `/requests/${other.number}/merge`, { into: mine.number });
    expect(into.statusCode).toBe(404);
    expect(into.json().subject).toBe("request");
    const from = await api(specialist, "POST", `/requests/${mine.number}/merge`, { into: other.number });
    expect(from.statusCode).toBe(404);
    expect((await requestRowByNumber(s.ctx.db, mine.number))!.mergedIntoId).toBeNull();
    const anonymous = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${mine.number}/merge`,
      payload: { into: other.number },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("bulk merge", () => {
  const bulk = (who: Who, numbers: string[], into: string) =>
    api(who, "POST", "/requests/bulk", { numbers, action: { type: "merge", into } });
  const historyCount = async (number: string, action: string) =>
    (await actions(number)).filter((a) => a === action).length;
  const grouped = (number: string) => number.replace(/\B(?=(\d{3})+(?!\d))/g, " ");

  it("merges each selected request into the target on its own; an already merged or closed one fails as alone", async () => {
    const contact = { name: "Ольга", email: "olga.bulk@example.ru" };
    const target = await submit("Не приходит СМС с кодом для входа.", contact);
    const dups = await Promise.all(
      ["Код по СМС не приходит.", "Снова нет кода в СМС.", "Третий раз: СМС с кодом нет."].map((t) =>
        submit(t, contact),
      ),
    );
    // One merged before into another request, one closed: the single merge refuses both.
    const elsewhere = await submit("Код не приходит и на почту.", contact);
    const merged = await submit("Код не приходит, пишу повторно.", contact);
    expect(
      (await api(operator, "POST", `/requests/${merged.number}/merge`, { into: elsewhere.number })).statusCode,
    ).toBe(200);
    const closed = await submit("Код пришёл, вопрос снят.", contact);
    for (const status of ["resolved", "closed"]) {
      expect((await api(operator, "POST", `/requests/${closed.number}/status`, { status })).statusCode).toBe(200);
    }
    await drain();
    const alone = async (number: string) => {
      const res = await api(operator, "POST", `/requests/${number}/merge`, { into: target.number });
      expect(res.statusCode).toBe(409);
      return { code: res.json().code, message: res.json().detail };
    };
    const mergedAlone = await alone(merged.number);
    const closedAlone = await alone(closed.number);
    expect(mergedAlone.code).toBe("request_merged");
    expect(closedAlone.code).toBe("merge_source_closed");

    const selection = [dups[0]!.number, merged.number, dups[1]!.number, closed.number, dups[2]!.number];
    const res = await bulk(operator, selection, `№ ${grouped(target.number)}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.changed).toEqual(dups.map((d) => d.number));
    expect(body.failed).toEqual([
      { number: merged.number, ...mergedAlone },
      { number: closed.number, ...closedAlone },
    ]);
    expect(body.skipped).toEqual([]);
    expect(body.total).toBe(5);
    expect(body.summary).toBe(`С обращением № ${grouped(target.number)} объединены 3 обращения из 5; 2 не объединены.`);

    // Each duplicate: closed into the target with one history row; the target has one row per duplicate.
    const targetId = await idOf(target.number);
    for (const d of dups) {
      expect(await requestRowByNumber(s.ctx.db, d.number)).toMatchObject({ status: "closed", mergedIntoId: targetId });
      expect(await historyCount(d.number, "merged")).toBe(1);
    }
    expect(await historyCount(target.number, "merged_from")).toBe(3);
    // What failed is as it was.
    expect(await requestRowByNumber(s.ctx.db, merged.number)).toMatchObject({
      mergedIntoId: await idOf(elsewhere.number),
    });
    expect(await requestRowByNumber(s.ctx.db, closed.number)).toMatchObject({ status: "closed", mergedIntoId: null });
    expect(await historyCount(merged.number, "merged")).toBe(1);

    // Each duplicate's applicant is told once, by the same notice as a single merge.
    await drain();
    for (const d of dups) {
      const letters = await s.ctx.db
        .select()
        .from(emailOutbox)
        .where(eq(emailOutbox.requestId, await idOf(d.number)));
      expect(letters.filter((l) => /объединено/.test(l.subject))).toHaveLength(1);
    }
    const targetLetters = await s.ctx.db.select().from(emailOutbox).where(eq(emailOutbox.requestId, targetId));
    expect(targetLetters.filter((l) => /объединено/.test(l.subject))).toHaveLength(0);

    // The old numbers lead to the target, whose page lists them and holds their messages.
    for (const d of dups) {
      const old = await api(operator, "GET", `/requests/${d.number}`);
      expect(old.statusCode).toBe(308);
      expect(old.headers.location).toBe(`/api/v1/requests/${target.number}`);
    }
    const detail = (await api(operator, "GET", `/requests/${target.number}`)).json();
    expect([...detail.mergedFrom].sort()).toEqual(dups.map((d) => d.number).sort());
    expect(detail.messages).toHaveLength(4);
  });

  it("skips the target among the selected and says so; the target alone is refused", async () => {
    const target = await submit("Не открывается запись к врачу.", { email: "doctor.bulk@example.ru" });
    const a = await submit("Запись к врачу не открывается.", { email: "doctor.bulk@example.ru" });
    const b = await submit("Не могу записаться к врачу.", { email: "doctor.bulk@example.ru" });
    const res = await bulk(operator, [a.number, target.number, b.number], target.number);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.changed).toEqual([a.number, b.number]);
    expect(body.failed).toEqual([]);
    expect(body.skipped).toEqual([
      { number: target.number, message: "С этим обращением объединяли остальные: оно осталось как было." },
    ]);
    expect(body.total).toBe(2);
    const shown = grouped(target.number);
    expect(body.summary).toBe(
      `С обращением № ${shown} объединены 2 обращения. Обращение № ${shown} было среди выбранных и осталось как было: с ним объединяли остальные.`,
    );
    expect(await requestRowByNumber(s.ctx.db, target.number)).toMatchObject({ status: "new", mergedIntoId: null });

    const only = await bulk(operator, [target.number], target.number);
    expect(only.statusCode).toBe(400);
    expect(only.json()).toMatchObject({
      code: "merge_nothing",
      detail: `Выбрано только обращение № ${shown}, с которым нужно объединять. Выберите его дубли.`,
    });
  });

  it("refuses the whole action before anything changes when the target is out of sight, unknown, merged or closed", async () => {
    const specialist = await s.staff("specialist", { department: "business" });
    const mine = await submit("Не проходит оплата пошлины.", { email: "bulk.scope@example.ru" });
    const alsoMine = await submit("Оплата пошлины не проходит снова.", { email: "bulk.scope@example.ru" });
    const theirs = await submit("Оплата пошлины: ошибка банка.", { email: "bulk.scope@example.ru" });
    for (const [number, department] of [
      [mine.number, "business"],
      [alsoMine.number, "business"],
      [theirs.number, "e_signature"],
    ] as const) {
      const esc = await api(operator, "POST", `/requests/${number}/escalate`, { department, reason: "По профилю" });
      expect(esc.statusCode).toBe(200);
    }
    const pair = [mine.number, alsoMine.number];
    const outOfSight = await bulk(specialist, pair, theirs.number);
    expect(outOfSight.statusCode).toBe(400);
    expect(outOfSight.json()).toMatchObject({
      code: "merge_target_not_found",
      field: "into",
      detail: `Обращение № ${grouped(theirs.number)}, с которым нужно объединить выбранные, не найдено.`,
    });
    expect((await bulk(specialist, pair, "100000")).json().code).toBe("merge_target_not_found");
    const malformed = await bulk(specialist, pair, "сто");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: "validation_failed", field: "into" });

    // Merged or closed: the single merge's codes, once for the whole selection.
    const gone = await submit("Пошлина списана дважды.", { email: "bulk.scope@example.ru" });
    expect((await api(operator, "POST", `/requests/${gone.number}/merge`, { into: theirs.number })).statusCode).toBe(
      200,
    );
    const intoMerged = await bulk(operator, pair, gone.number);
    expect(intoMerged.statusCode).toBe(409);
    expect(intoMerged.json().code).toBe("merge_target_merged");
    for (const status of ["resolved", "closed"]) {
      expect((await api(operator, "POST", `/requests/${theirs.number}/status`, { status })).statusCode).toBe(200);
    }
    const intoClosed = await bulk(operator, pair, theirs.number);
    expect(intoClosed.statusCode).toBe(409);
    expect(intoClosed.json()).toMatchObject({
      code: "merge_target_closed",
      detail: `Обращение № ${grouped(theirs.number)} закрыто: присоединить к нему другое обращение нельзя.`,
    });

    for (const number of pair) {
      expect(await requestRowByNumber(s.ctx.db, number)).toMatchObject({ mergedIntoId: null });
      expect(await historyCount(number, "merged")).toBe(0);
    }
    // The specialist merges within the department, as one at a time.
    const inside = await bulk(specialist, [alsoMine.number], mine.number);
    expect(inside.json()).toMatchObject({ changed: [alsoMine.number], failed: [] });
    const anonymous = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests/bulk",
      payload: { numbers: pair, action: { type: "merge", into: mine.number } },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("split", () => {
  it("copies an applicant's message into a new request of the same applicant, with history rows on both", async () => {
    const contact = { name: "Анна", email: "anna.split@example.ru", phone: "+7 913 555-44-33" };
    const source = await submit("Не могу записаться к врачу.", contact);
    const added = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${source.token}/messages`,
      payload: { text: "И ещё: не пришло уведомление о штрафе ГИБДД." },
    });
    expect(added.statusCode).toBe(200);
    const sourceId = await idOf(source.number);
    const [line] = await s.ctx.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.requestId, sourceId), eq(messages.body, "И ещё: не пришло уведомление о штрафе ГИБДД.")));

    const res = await api(operator, "POST", `/requests/${source.number}/split`, { messageId: line!.id });
    expect(res.statusCode).toBe(200);
    const { number } = res.json() as { number: string };
    expect(number).not.toBe(source.number);

    const created = await requestRowByNumber(s.ctx.db, number);
    expect(created).toMatchObject({
      contactEmail: contact.email,
      contactName: contact.name,
      channel: "web",
      status: "new",
    });
    expect(created!.contactPhoneHash).toBe((await requestRowByNumber(s.ctx.db, source.number))!.contactPhoneHash);
    const first = await s.ctx.db.select().from(messages).where(eq(messages.requestId, created!.id));
    expect(first.map((m) => [m.authorType, m.body])).toEqual([
      ["applicant", "И ещё: не пришло уведомление о штрафе ГИБДД."],
    ]);
    // The message stays where it was written too.
    expect(await s.ctx.db.select().from(messages).where(eq(messages.id, line!.id))).toHaveLength(1);
    expect(await actions(source.number)).toContain("split");
    expect(await actions(number)).toEqual(expect.arrayContaining(["created", "split_from"]));

    const detail = (await api(operator, "GET", `/requests/${number}`)).json();
    const splitFrom = detail.history.find((h: { action: string }) => h.action === "split_from");
    expect(splitFrom.changes).toMatchObject({ from: source.number, messageId: line!.id });
  });

  it("refuses a message of the staff, one of another request, and an unknown one", async () => {
    const source = await submit("Вопрос о пособии.", { email: "split.refuse@example.ru" });
    const other = await submit("Вопрос о пенсии.", { email: "split.other@example.ru" });
    expect(
      (
        await api(operator, "POST", `/requests/${source.number}/messages`, {
          body: "Уточните, пожалуйста.",
          visibility: "public",
        })
      ).statusCode,
    ).toBe(200);
    const rows = await s.ctx.db
      .select({ id: messages.id, authorType: messages.authorType, requestId: messages.requestId })
      .from(messages)
      .where(eq(messages.requestId, await idOf(source.number)));
    const staffLine = rows.find((r) => r.authorType === "staff")!;
    const theirs = (
      await s.ctx.db
        .select()
        .from(messages)
        .where(eq(messages.requestId, await idOf(other.number)))
    )[0]!;

    const byStaff = await api(operator, "POST", `/requests/${source.number}/split`, { messageId: staffLine.id });
    expect(byStaff.statusCode).toBe(400);
    expect(byStaff.json().detail).toBe("В новое обращение можно выделить только сообщение заявителя.");
    const foreign = await api(operator, "POST", `/requests/${source.number}/split`, { messageId: theirs.id });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toMatchObject({ code: "validation_failed", field: "messageId" });
    const unknown = await api(operator, "POST", `/requests/${source.number}/split`, { messageId: 99_999_999 });
    expect(unknown.statusCode).toBe(400);
  });
});

describe("related requests", () => {
  it("links both ways, once, lists the link on each side, and removes it", async () => {
    const a = await submit("Сбой на портале при входе.", { email: "rel.a@example.ru" });
    const b = await submit("Портал не открывается.", { email: "rel.b@example.ru" });
    const add = await api(operator, "POST", `/requests/${a.number}/links`, { number: b.number });
    expect(add.statusCode).toBe(200);
    expect(add.json()).toEqual({ linked: true });
    expect((await api(operator, "POST", `/requests/${b.number}/links`, { number: a.number })).json()).toEqual({
      linked: false,
    });
    const onA = (await api(operator, "GET", `/requests/${a.number}`)).json();
    const onB = (await api(operator, "GET", `/requests/${b.number}`)).json();
    expect(onA.related.map((r: { number: string }) => r.number)).toEqual([b.number]);
    expect(onB.related.map((r: { number: string }) => r.number)).toEqual([a.number]);
    expect(await actions(a.number)).toContain("related");
    expect(await actions(b.number)).toContain("related");

    const self = await api(operator, "POST", `/requests/${a.number}/links`, { number: a.number });
    expect(self.statusCode).toBe(409);
    expect(self.json().code).toBe("relation_self");

    const del = await api(operator, "DELETE", `/requests/${b.number}/links/${a.number}`);
    expect(del.json()).toEqual({ unlinked: true });
    expect((await api(operator, "GET", `/requests/${a.number}`)).json().related).toEqual([]);
    expect((await api(operator, "GET", `/requests/${b.number}`)).json().related).toEqual([]);
    expect(await actions(a.number)).toContain("unrelated");
  });

  it("a merge carries the duplicate's related requests over to the target", async () => {
    const a = await submit("Сбой при оплате.", { email: "relm@example.ru" });
    const b = await submit("Сбой при оплате, повторно.", { email: "relm@example.ru" });
    const c = await submit("Сбой в личном кабинете.", { email: "relm.c@example.ru" });
    expect((await api(operator, "POST", `/requests/${b.number}/links`, { number: c.number })).statusCode).toBe(200);
    expect((await api(operator, "POST", `/requests/${b.number}/merge`, { into: a.number })).statusCode).toBe(200);
    const onA = (await api(operator, "GET", `/requests/${a.number}`)).json();
    expect(onA.related.map((r: { number: string }) => r.number)).toEqual([c.number]);
    const onC = (await api(operator, "GET", `/requests/${c.number}`)).json();
    expect(onC.related.map((r: { number: string }) => r.number)).toEqual([a.number]);
  });
});
