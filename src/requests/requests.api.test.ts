import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { displayRequestNumber } from "../text/display.ts";
import { isValidRequestNumber } from "./number.ts";

let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer();
  operator = await s.staff("operator", { department: "first_line" });
});
afterAll(() => s?.close());

const submit = (payload: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({ method: "POST", url: "/api/v1/requests", payload: payload as object, headers });

const tokenOf = (trackingUrl: string) => trackingUrl.split("/").pop()!;

describe("web form intake", () => {
  it("registers a request and answers number, tracking link and due time", async () => {
    const res = await submit({
      text: "Не приходит СМС с кодом подтверждения при входе",
      contact: { name: "Иван", email: "ivan@example.ru", phone: "8 (912) 345-67-89" },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(isValidRequestNumber(body.number)).toBe(true);
    expect(body.trackingUrl).toMatch(/^http:\/\/otklik\.test\/track\/[A-Za-z0-9_-]{43}$/);
    expect(new Date(body.dueAt).getTime()).toBeGreaterThan(Date.now());

    const track = await s.app.inject({ method: "GET", url: `/api/v1/track/${tokenOf(body.trackingUrl)}` });
    expect(track.statusCode).toBe(200);
    expect(track.json()).toMatchObject({
      number: body.number,
      status: "new",
      canReply: true,
      canRate: false,
    });
    expect(track.json().messages[0].body).toContain("СМС");
  });

  it("refuses bad input with a Russian message and a stable code", async () => {
    const empty = await submit({ text: "" });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers["content-type"]).toContain("application/problem+json");
    expect(empty.json()).toMatchObject({ code: "validation_failed" });
    expect(empty.json().detail).toMatch(/Текст обращения/);
    // Invisible characters only (zero-width spaces, a direction mark, a byte-order mark) are no text either.
    for (const text of ["\u200b\u200b\u200b", " \u200e\ufeff\n"]) {
      const invisible = await submit({ text });
      expect(invisible.statusCode).toBe(400);
      expect(invisible.json().detail).toBe("Опишите вопрос: поле «Текст обращения» пустое.");
    }

    const phone = await submit({ text: "Вопрос", contact: { phone: "+7 872 33-44-55" } });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().code).toBe("invalid_phone");

    const cat = await submit({ text: "Вопрос", category: "nonsense" });
    expect(cat.statusCode).toBe(400);
    expect(cat.json().code).toBe("validation_failed");

    const extra = await submit({ text: "Вопрос", admin: true });
    expect(extra.statusCode).toBe(400);

    const broken = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe("invalid_json");
  });

  it("makes one request for a retried submission with the same Idempotency-Key", async () => {
    const payload = { text: "Заявление застряло на проверке", contact: { email: "petr@example.ru" } };
    const key = "form-7f3a9c1e-retry";
    const [a, b] = await Promise.all([
      submit(payload, { "idempotency-key": key }),
      submit(payload, { "idempotency-key": key }),
    ]);
    const c = await submit(payload, { "idempotency-key": key });
    const numbers = new Set([a.json().number, b.json().number, c.json().number]);
    expect(numbers.size).toBe(1);
    expect(new Set([a.json().trackingUrl, b.json().trackingUrl, c.json().trackingUrl]).size).toBe(1);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    const list = await s.app.inject({
      method: "GET",
      url: "/api/v1/requests?q=petr@example.ru",
      headers: { authorization: operator.authorization },
    });
    expect(list.json().total).toBe(1);

    const other = await submit({ ...payload, text: "Совсем другой текст" }, { "idempotency-key": key });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("idempotency_key_reused");
  });

  it("an unknown or malformed tracking token finds nothing", async () => {
    const a = await s.app.inject({ method: "GET", url: `/api/v1/track/${"A".repeat(43)}` });
    expect(a.statusCode).toBe(404);
    const b = await s.app.inject({ method: "GET", url: "/api/v1/track/short" });
    expect(b.statusCode).toBe(400);
  });
});

describe("the operator's work and the applicant's view", () => {
  it("answer, resolve, reopen by reply, rate — each step in the history", async () => {
    const created = (
      await submit({ text: "Как изменить номер телефона в профиле?", contact: { phone: "+79123450000" } })
    ).json();
    const token = tokenOf(created.trackingUrl);
    const auth = { authorization: operator.authorization };

    const found = await s.app.inject({
      method: "GET",
      url: "/api/v1/requests?q=%2B7%20912%20345-00-00",
      headers: auth,
    });
    expect(found.json().items.map((i: { number: string }) => i.number)).toContain(created.number);
    expect(found.json().items[0].contactPhone).toBe("+7•••••0000");

    const byWords = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests?q=${encodeURIComponent("номера телефона")}`,
      headers: auth,
    });
    expect(byWords.json().items.map((i: { number: string }) => i.number)).toContain(created.number);

    const reply = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/messages`,
      headers: auth,
      payload: { body: "Откройте профиль → Контакты → Изменить.", visibility: "public" },
    });
    expect(reply.statusCode).toBe(200);
    const note = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/messages`,
      headers: auth,
      payload: { body: "Внутренняя заметка: проверить номер", visibility: "note" },
    });
    expect(note.statusCode).toBe(200);

    let view = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    expect(view.status).toBe("in_progress");
    expect(view.messages.map((m: { body: string }) => m.body)).toContain("Откройте профиль → Контакты → Изменить.");
    expect(JSON.stringify(view)).not.toContain("Внутренняя заметка");

    const early = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/rating`,
      payload: { score: 5 },
    });
    expect(early.statusCode).toBe(409);

    const resolve = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/status`,
      headers: auth,
      payload: { status: "resolved" },
    });
    expect(resolve.statusCode).toBe(200);
    const illegal = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/status`,
      headers: auth,
      payload: { status: "escalated" },
    });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json().code).toBe("illegal_transition");

    const back = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/messages`,
      payload: { text: "Не получилось, кнопки нет" },
    });
    expect(back.statusCode).toBe(200);
    view = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    expect(view.status).toBe("in_progress");

    await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/status`,
      headers: auth,
      payload: { status: "resolved" },
    });
    const rate = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/rating`,
      payload: { score: 4, comment: "Помогли" },
    });
    expect(rate.statusCode).toBe(200);
    const bad = await s.app.inject({
      method: "POST",
      url: `/api/v1/track/${token}/rating`,
      payload: { score: 9 },
    });
    expect(bad.statusCode).toBe(400);

    const detail = (
      await s.app.inject({ method: "GET", url: `/api/v1/requests/${created.number}`, headers: auth })
    ).json();
    expect(detail.rating).toBe(4);
    expect(detail.contact.phone).toBe("+7•••••0000");
    const noReason = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/reveal`,
      headers: auth,
      payload: { reason: "" },
    });
    expect(noReason.statusCode).toBe(400);
    const revealed = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/reveal`,
      headers: auth,
      payload: { reason: "Перезвонить заявителю" },
    });
    expect(revealed.json().phone).toBe("+79123450000");
    const admin = await s.staff("administrator");
    const log = (
      await s.app.inject({
        method: "GET",
        url: `/api/v1/admin/audit?subjectType=request&subjectId=${created.number}`,
        headers: { authorization: admin.authorization },
      })
    ).json();
    expect(log.map((e: { action: string }) => e.action)).toContain("contact.reveal");
    expect(log.find((e: { action: string }) => e.action === "contact.reveal").reason).toBe("Перезвонить заявителю");
    expect(log.filter((e: { action: string }) => e.action === "request.view").length).toBeGreaterThan(0);
    const verified = (
      await s.app.inject({
        method: "GET",
        url: "/api/v1/admin/audit/verify",
        headers: { authorization: admin.authorization },
      })
    ).json();
    expect(verified.brokenAt).toBeNull();
    expect(verified.checked).toBeGreaterThan(1);
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual([
      "created",
      "replied",
      "noted",
      "status_changed",
      "applicant_replied",
      "status_changed",
      "rated",
    ]);
    expect(detail.history[1].actorName).toBe(detail.messages[1].authorName);
  });

  it("escalation needs a reason, tells the receiving department, and keeps the request in the escalating operator's sight", async () => {
    const created = (await submit({ text: "Не работает подпись", category: "information" })).json();
    const auth = { authorization: operator.authorization };
    const specialist = await s.staff("specialist", { department: "e_signature" });
    const notices = async (who: { authorization: string }) =>
      (
        await s.app.inject({
          method: "GET",
          url: "/api/v1/notifications",
          headers: { authorization: who.authorization },
        })
      ).json().items as { kind: string; title: string; number: string | null }[];
    const noReason = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/escalate`,
      headers: auth,
      payload: { department: "e_signature", reason: "" },
    });
    expect(noReason.statusCode).toBe(400);
    const ok = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/escalate`,
      headers: auth,
      payload: { department: "e_signature", reason: "Нужна проверка сертификата" },
    });
    expect(ok.statusCode).toBe(200);
    // The operator who escalated it still sees it (and finds it in the queue); another first-line operator does not.
    const kept = await s.app.inject({ method: "GET", url: `/api/v1/requests/${created.number}`, headers: auth });
    expect(kept.statusCode).toBe(200);
    const queue = await s.app.inject({ method: "GET", url: `/api/v1/requests?q=${created.number}`, headers: auth });
    expect(queue.json().items.map((r: { number: string }) => r.number)).toContain(created.number);
    const colleague = await s.staff("operator", { department: "first_line" });
    const hidden = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${created.number}`,
      headers: { authorization: colleague.authorization },
    });
    expect(hidden.statusCode).toBe(404);

    const seen = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${created.number}`,
      headers: { authorization: specialist.authorization },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toMatchObject({ status: "escalated", department: "e_signature" });
    // Passed on again to the department that holds it: refused, nothing changes.
    const again = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/escalate`,
      headers: { authorization: specialist.authorization },
      payload: { department: "e_signature", reason: "Ещё раз" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("same_department");
    expect(again.json().detail).toMatch(/^Обращение уже в подразделении «.+»: выберите другое подразделение\.$/);
    const other = await s.staff("specialist", { department: "technical" });
    const notSeen = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${created.number}`,
      headers: { authorization: other.authorization },
    });
    expect(notSeen.statusCode).toBe(404);

    // The receiving department hears of it at once; the escalating operator is not told of their own act.
    await s.ctx.worker.kick();
    const received = (await notices(specialist)).filter((n) => n.number === created.number);
    expect(received).toEqual([
      expect.objectContaining({
        kind: "escalated",
        title: expect.stringMatching(/^Обращение [\d ]+ передано в подразделение «.+»\.$/),
      }),
    ]);
    expect((await notices(operator)).filter((n) => n.number === created.number)).toEqual([]);

    // The specialist writes a note: the operator, who follows the request, hears of it once.
    const note = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${created.number}/messages`,
      headers: { authorization: specialist.authorization },
      payload: { body: "Сертификат просрочен, нужен перевыпуск.", visibility: "note" },
    });
    expect(note.statusCode).toBe(200);
    await s.ctx.worker.kick();
    await s.ctx.worker.kick();
    const followed = (await notices(operator)).filter((n) => n.number === created.number);
    expect(followed).toEqual([
      expect.objectContaining({
        kind: "followed",
        title: `Обращение ${displayRequestNumber(created.number)}: добавлена внутренняя заметка.`,
      }),
    ]);
    expect((await notices(other)).filter((n) => n.number === created.number)).toEqual([]);
  });

  it("staff routes refuse anonymous callers and bad tokens", async () => {
    expect((await s.app.inject({ method: "GET", url: "/api/v1/requests" })).statusCode).toBe(401);
    const bad = await s.app.inject({
      method: "GET",
      url: "/api/v1/requests",
      headers: { authorization: "Bearer otk_nope" },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe("unauthenticated");
  });
});

describe("classification at intake", () => {
  it("categorises clear text, leaves unclear text to a person in the triage queue, and learns from corrections", async () => {
    const auth = { authorization: operator.authorization };
    const clear = (
      await submit({ text: "Не приходит смс с кодом подтверждения, не могу войти в личный кабинет" })
    ).json();
    const vague = (await submit({ text: "Здравствуйте" })).json();
    const a = (await s.app.inject({ method: "GET", url: `/api/v1/requests/${clear.number}`, headers: auth })).json();
    expect(a).toMatchObject({ category: "access", categorySource: "classifier" });
    const b = (await s.app.inject({ method: "GET", url: `/api/v1/requests/${vague.number}`, headers: auth })).json();
    expect(b.category).toBeNull();
    expect(b.history[0].changes.suggested).toBeDefined();
    const triage = (await s.app.inject({ method: "GET", url: "/api/v1/requests?category=none", headers: auth })).json();
    expect(triage.items.map((i: { number: string }) => i.number)).toContain(vague.number);
    expect(triage.items.map((i: { number: string }) => i.number)).not.toContain(clear.number);

    const fix = await s.app.inject({
      method: "PATCH",
      url: `/api/v1/requests/${vague.number}`,
      headers: auth,
      payload: { category: "information" },
    });
    expect(fix.statusCode).toBe(200);
    const admin = await s.staff("administrator");
    const status = (
      await s.app.inject({
        method: "GET",
        url: "/api/v1/admin/classifier",
        headers: { authorization: admin.authorization },
      })
    ).json();
    expect(status).toMatchObject({ model: "shipped", correctionsAvailable: 1 });
    const trained = await s.app.inject({
      method: "POST",
      url: "/api/v1/admin/classifier/train",
      headers: { authorization: admin.authorization },
    });
    expect(trained.statusCode).toBe(200);
    expect(trained.json().corrections).toBe(1);
  }, 60_000);

  it("POST /classify answers category, confidence and audience", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/classify",
      payload: { text: "Регистрация ООО на портале, ИНН 7707083893" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ category: "business", audience: "legal_entity" });
    expect(res.json().confidence).toBeGreaterThan(0.5);
  });
});

describe("attachments", () => {
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  );
  const form = (files: [Buffer, string, string][], data: object = { text: "Скриншот ошибки во вложении" }) => {
    const f = new FormData();
    f.append("data", JSON.stringify(data));
    for (const [content, type, name] of files) f.append("files", new Blob([content], { type }), name);
    return f;
  };

  it("accepts a screenshot by its content, refuses an executable named .png, and serves files only to those allowed", async () => {
    const ok = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form([[png, "image/png", "../../etc/скрин.png"]]) as never,
    });
    expect(ok.statusCode).toBe(201);
    const token = tokenOf(ok.json().trackingUrl);
    const view = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    const file = view.messages[0].attachments[0];
    expect(file).toMatchObject({ filename: "скрин.png", contentType: "image/png", size: png.length });

    const download = await s.app.inject({ method: "GET", url: `/api/v1/track/${token}/attachments/${file.id}` });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-disposition"]).toMatch(/^attachment;/);
    expect(Buffer.compare(download.rawPayload, png)).toBe(0);
    const otherToken = tokenOf((await submit({ text: "Другое обращение" })).json().trackingUrl);
    expect(
      (await s.app.inject({ method: "GET", url: `/api/v1/track/${otherToken}/attachments/${file.id}` })).statusCode,
    ).toBe(404);
    const supervisor = await s.staff("supervisor");
    const staffDownload = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${ok.json().number}/attachments/${file.id}`,
      headers: { authorization: supervisor.authorization },
    });
    expect(staffDownload.statusCode).toBe(200);

    const exe = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]);
    const refused = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form([[exe, "image/png", "photo.png"]]) as never,
    });
    expect(refused.statusCode).toBe(415);
    expect(refused.json().code).toBe("unsupported_media_type");

    const badData = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form([[png, "image/png", "a.png"]], { text: "" }) as never,
    });
    expect(badData.statusCode).toBe(400);
    expect(badData.json().code).toBe("validation_failed");
  });

  it("refuses a file above the size limit with 413 and keeps nothing of the request", async () => {
    const big = Buffer.concat([png, Buffer.alloc(s.ctx.config.maxAttachmentBytes + 10)]);
    const before = (
      await s.app.inject({
        method: "GET",
        url: "/api/v1/requests?limit=1",
        headers: { authorization: operator.authorization },
      })
    ).json().total;
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form([[big, "image/png", "big.png"]]) as never,
    });
    expect(res.statusCode).toBe(413);
    const after = (
      await s.app.inject({
        method: "GET",
        url: "/api/v1/requests?limit=1",
        headers: { authorization: operator.authorization },
      })
    ).json().total;
    expect(after).toBe(before);
  });

  it("names the limit when a form carries more files than it allows, and the file's name without its disguise", async () => {
    const max = s.ctx.config.maxAttachments;
    const many = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form(Array.from({ length: max + 1 }, (_, i) => [png, "image/png", `${i}.png`])) as never,
    });
    expect(many.statusCode).toBe(413);
    expect(many.json().detail).toBe(
      `К одному сообщению можно приложить не больше ${max} ${new Intl.PluralRules("ru").select(max) === "one" ? "файла" : "файлов"}.`,
    );

    const script = Buffer.from('var sh = new ActiveXObject("WScript.Shell");\n');
    const ok = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: form([[script, "application/pdf", "invoice\u202Efdp.js"]]) as never,
    });
    expect(ok.statusCode).toBe(201);
    const view = (await s.app.inject({ method: "GET", url: `/api/v1/track/${tokenOf(ok.json().trackingUrl)}` })).json();
    expect(view.messages[0].attachments[0]).toMatchObject({ filename: "invoicefdp.js.txt", contentType: "text/plain" });
  });
});

describe("routes that check scope with one look-up", () => {
  it("answer an employee outside the request's scope 404 and one inside it in full", async () => {
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    const form = new FormData();
    form.append(
      "data",
      JSON.stringify({
        text: "Не открывается справка, скриншот во вложении",
        category: "information",
        contact: { name: "Пётр", email: "petr@example.ru" },
      }),
    );
    form.append("files", new Blob([png], { type: "image/png" }), "скрин.png");
    const created = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: form as never });
    expect(created.statusCode).toBe(201);
    const { number, trackingUrl } = created.json();
    const tracked = (await s.app.inject({ method: "GET", url: `/api/v1/track/${tokenOf(trackingUrl)}` })).json();
    const fileId = tracked.messages[0].attachments[0].id as string;

    const outsider = await s.staff("specialist", { department: "technical" });
    const routes: { method: "GET" | "POST"; url: string; payload?: object }[] = [
      { method: "POST", url: `/requests/${number}/reveal`, payload: { reason: "Проверка личности" } },
      { method: "GET", url: `/requests/${number}/attachments/${fileId}` },
      { method: "GET", url: `/requests/${number}/sla` },
      { method: "POST", url: `/requests/${number}/render-template`, payload: { body: "Здравствуйте, {{имя}}!" } },
      { method: "GET", url: `/requests/${number}/emails` },
    ];
    for (const r of routes) {
      const as = (who: { authorization: string }) =>
        s.app.inject({ ...r, url: `/api/v1${r.url}`, headers: { authorization: who.authorization } });
      expect({ route: r.url, status: (await as(outsider)).statusCode }).toEqual({ route: r.url, status: 404 });
      expect({ route: r.url, status: (await as(operator)).statusCode }).toEqual({ route: r.url, status: 200 });
    }

    const revealed = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${number}/reveal`,
      headers: { authorization: operator.authorization },
      payload: { reason: "Проверка личности" },
    });
    expect(revealed.json()).toEqual({ name: "Пётр", email: "petr@example.ru", phone: null });
    const rendered = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${number}/render-template`,
      headers: { authorization: operator.authorization },
      payload: { body: "Здравствуйте, {{имя}}! Обращение {{номер}}." },
    });
    expect(rendered.json().text).toBe(`Здравствуйте, Пётр! Обращение ${displayRequestNumber(number)}.`);

    // A file is served only through its own request, even to someone who may see both.
    const other = (await submit({ text: "Другой вопрос о справке", category: "information" })).json();
    const crossed = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${other.number}/attachments/${fileId}`,
      headers: { authorization: operator.authorization },
    });
    expect(crossed.statusCode).toBe(404);
  });
});
