// IVR dialogues as scripted sequences of requests, the way a voice platform makes them; and the wallboard.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { formatRequestNumber } from "../../requests/number.ts";
import { requests } from "../../requests/schema.ts";
import { twilioSignature } from "./auth.ts";

const SECRET = "test-phone-secret-0123456789";
const IVR = `/api/v1/phone/ivr/${SECRET}`;
let s: TestServer;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;
let admin: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET });
  supervisor = await s.staff("supervisor");
  admin = await s.staff("administrator");
});
afterAll(() => s?.close());
afterEach(() => vi.useRealTimers());

/** One turn of the dialogue: the platform posts the caller's keys to the URL the last answer named. */
async function turn(url: string, params: Record<string, string>) {
  const res = await s.app.inject({
    method: "POST",
    url,
    payload: new URLSearchParams(params).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("text/xml");
  return res.body;
}
/** The action the answer's Gather (or Redirect) sends the caller to next. */
const next = (xml: string) => {
  const m = xml.match(/<Gather[^>]* action="([^"]+)"/) ?? xml.match(/<Redirect[^>]*>([^<]+)</);
  return m![1]!.replaceAll("&amp;", "&");
};
const call = (sid: string, to = "+78005553535", from = "+79001234567") => ({ CallSid: sid, From: from, To: to });
// A working Wednesday at noon and a Saturday night, Moscow time.
const WEDNESDAY_NOON = new Date("2026-11-25T09:00:00Z");
const SATURDAY_NIGHT = new Date("2026-11-28T00:30:00Z");
const at = (d: Date) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(d);
};

describe("IVR scripts", () => {
  it("greets by line, offers the topic menu and routes to the department's queue", async () => {
    at(WEDNESDAY_NOON);
    const greet = await turn(IVR, call("ivr-1"));
    expect(greet).toContain('<Say language="ru-RU">Здравствуйте! Вы позвонили в службу поддержки портала Госуслуг');
    expect(greet).toContain("Технические неполадки портала — нажмите 4.");
    expect(greet.indexOf("нажмите 1.")).toBeLessThan(greet.indexOf("нажмите 0."));
    const choice = await turn(next(greet), { ...call("ivr-1"), Digits: "4" });
    expect(choice).toContain("<Enqueue>technical</Enqueue>");
    const wrong = await turn(next(greet), { ...call("ivr-1"), Digits: "9" });
    expect(wrong).toContain("Такого пункта нет");
    expect(next(wrong)).toContain("step=menu-prompt");
  });

  it("reads a request's status typed on the keypad, refusing a number with a wrong check digit", async () => {
    const web = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Вопрос о статусе" } });
    const number: string = web.json().number;
    const menu = await turn(IVR, call("ivr-2"));
    const ask = await turn(next(menu), { ...call("ivr-2"), Digits: "3" });
    expect(ask).toContain('finishOnKey="#"');
    const typo = `${number.slice(0, -1)}${(Number(number.at(-1)) + 1) % 10}`;
    const refused = await turn(next(ask), { ...call("ivr-2"), Digits: typo });
    expect(refused).toContain("контрольная цифра не сходится");
    expect(refused).toContain("<Gather");
    const status = await turn(next(refused), { ...call("ivr-2"), Digits: number });
    expect(status).toContain("Статус: новое.");
    expect(status).toContain(number.slice(0, 3).split("").join(" "));
  });

  it("reads an application's status through the portal connector", async () => {
    const menu = await turn(IVR, call("ivr-3"));
    const ask = await turn(next(menu), { ...call("ivr-3"), Digits: "2" });
    const answer = await turn(next(ask), { ...call("ivr-3"), Digits: "1000000001" });
    expect(answer).toContain("Статус: в обработке.");
    const log = await s.app.inject({
      method: "GET",
      url: "/api/v1/portal/audit",
      headers: { authorization: admin.authorization },
    });
    expect(log.json()[0]).toMatchObject({ action: "ivr_application_status", target: "1000000001", outcome: "ok" });
  });

  it("reads an application's status only to a caller ringing from the account's phone", async () => {
    // 1000000001 is the application of the account whose phone is +79001234567; +79001112233 is another account's.
    for (const [sid, from] of [
      ["ivr-3a", "+79001112233"],
      ["ivr-3b", "+79005550009"],
    ] as const) {
      const menu = await turn(IVR, call(sid, "+78005553535", from));
      const ask = await turn(next(menu), { ...call(sid, "+78005553535", from), Digits: "2" });
      const answer = await turn(next(ask), { ...call(sid, "+78005553535", from), Digits: "1000000001" });
      expect(answer).not.toContain("Статус:");
      expect(answer).not.toContain("Замена паспорта");
      expect(answer).toContain("в личном кабинете");
      expect(answer).toContain("с номера телефона, указанного в учётной записи");
    }
    const log = await s.app.inject({
      method: "GET",
      url: "/api/v1/portal/audit?limit=2",
      headers: { authorization: admin.authorization },
    });
    expect(log.json().map((r: { outcome: string }) => r.outcome)).toEqual(["refused_caller", "refused_caller"]);
  });

  it("is refused as call events are while no phone secret is configured: no menu, no status", async () => {
    const web = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Чужое обращение" } });
    const number: string = web.json().number;
    s.ctx.config.phoneSecret = undefined;
    try {
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const events = await s.app.inject({
        method: "POST",
        url: "/api/v1/phone/events",
        payload: "event=newCall&callId=nc-1",
        headers: form,
      });
      expect(events.statusCode).toBe(503);
      for (const url of [
        "/api/v1/phone/ivr",
        "/api/v1/phone/ivr?step=request-status",
        "/api/v1/phone/ivr?step=app-status",
        `/api/v1/phone/ivr/${SECRET}?step=request-status`,
      ]) {
        const res = await s.app.inject({
          method: "POST",
          url,
          payload: new URLSearchParams({ ...call("nc-2", "+78005553535", "+70000000000"), Digits: number }).toString(),
          headers: form,
        });
        expect(res.statusCode, url).toBe(503);
        expect(res.json()).toMatchObject({ code: "phone_not_configured", detail: events.json().detail });
        expect(res.body).not.toContain("Статус");
      }
    } finally {
      s.ctx.config.phoneSecret = SECRET;
    }
  });

  it("requires the PBX's authentication for every step, the request-status one included", async () => {
    const web = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Чужое обращение" } });
    const params = { ...call("auth-1", "+78005553535", "+79005557700"), Digits: web.json().number as string };
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const payload = new URLSearchParams(params).toString();
    const path = "/api/v1/phone/ivr?step=request-status";
    const forged = twilioSignature("not-the-secret-0123456789", `http://otklik.test${path}`, params);
    for (const [url, extra] of [
      [path, {}],
      [path, { "x-twilio-signature": forged }],
      ["/api/v1/phone/ivr/not-the-secret-0123456789?step=request-status", {}],
    ] as const) {
      const res = await s.app.inject({ method: "POST", url, payload, headers: { ...headers, ...extra } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().code).toBe("phone_unauthenticated");
      expect(res.body).not.toContain("Статус");
    }
    const signed = await s.app.inject({
      method: "POST",
      url: path,
      payload,
      headers: { ...headers, "x-twilio-signature": twilioSignature(SECRET, `http://otklik.test${path}`, params) },
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain("Статус: новое.");
  });

  it("tells one caller the status of at most five numbers an hour, found or not, then the same words for any", async () => {
    at(WEDNESDAY_NOON);
    const web = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Вопрос о статусе" } });
    const number: string = web.json().number;
    const status = (sid: string, from: string, digits: string) =>
      turn(`${IVR}?step=request-status`, { ...call(sid, "+78005553535", from), Digits: digits });
    // Valid check digits, numbers nobody registered: a look-up counts whether it finds anything or not.
    const missing = [999_990, 999_991, 999_992].map(formatRequestNumber);
    const from = "+79005557701";
    for (const [i, n] of missing.entries()) expect(await status(`lim-${i}`, from, n)).toContain("не найдено");
    expect(await status("lim-3", from, number)).toContain("Статус: новое.");
    expect(await status("lim-4", from, number)).toContain("Статус: новое.");
    // The sixth: neither the status of a number that exists nor «not found» for one that does not.
    const over = [await status("lim-6", from, number), await status("lim-7", from, missing[0]!)];
    for (const xml of over) {
      expect(xml).toContain("слишком много запросов");
      expect(xml).not.toContain("Статус: ");
      expect(xml).not.toContain("не найдено");
      expect(next(xml)).toContain("step=menu-prompt");
    }
    expect(over[0]).toBe(over[1]);
    // A wrong check digit is refused as before: it looks nothing up.
    const typo = `${number.slice(0, -1)}${(Number(number.at(-1)) + 1) % 10}`;
    expect(await status("lim-8", from, typo)).toContain("контрольная цифра не сходится");
    // Another caller has an allowance of their own; the first caller's comes back after the hour.
    expect(await status("lim-9", "+79005557702", number)).toContain("Статус: новое.");
    vi.setSystemTime(new Date(WEDNESDAY_NOON.getTime() + 3600_000));
    expect(await status("lim-10", from, number)).toContain("Статус: новое.");
  });

  it("counts withheld numbers together: hiding the number buys no more look-ups", async () => {
    at(WEDNESDAY_NOON);
    const web = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Вопрос о статусе" } });
    const number: string = web.json().number;
    const answers: string[] = [];
    for (const [i, from] of ["anonymous", "", "restricted", "anonymous", "101", "anonymous"].entries()) {
      answers.push(
        await turn(`${IVR}?step=request-status`, {
          ...call(`anon-${i}`, "+78005553535", from),
          Digits: number,
        }),
      );
    }
    expect(answers.slice(0, 5).every((a) => a.includes("Статус: новое."))).toBe(true);
    expect(answers[5]).toContain("слишком много запросов");
  });

  it("outside the line's hours tells the hours and the lines open now, and takes a call-back request", async () => {
    at(SATURDAY_NIGHT);
    const closed = await turn(IVR, call("ivr-4", "+78005554444", "+79005550001"));
    expect(closed).toContain("Сейчас линия закрыта. Часы работы: в рабочие дни 09:00–18:00");
    expect(closed).toContain("Сейчас открыты:");
    expect(closed).toContain("Единый федеральный номер, номер 8‑800‑555‑35‑35");
    const done = await turn(next(closed), { ...call("ivr-4", "+78005554444", "+79005550001"), Digits: "1" });
    expect(done).toContain("Заявка на обратный звонок принята");
    expect(done).toContain("<Hangup/>");
    // The platform repeating the same request makes no second call-back.
    await turn(next(closed), { ...call("ivr-4", "+78005554444", "+79005550001"), Digits: "1" });
    const list = await s.app.inject({
      method: "GET",
      url: "/api/v1/requests?q=%2B79005550001",
      headers: { authorization: supervisor.authorization },
    });
    expect(list.json().total).toBe(1);
    expect(list.json().items[0].channel).toBe("phone");
  });

  it("a long queue offers the reserve line or a call-back and marks the main line overloaded", async () => {
    at(WEDNESDAY_NOON);
    const set = await s.app.inject({
      method: "PUT",
      url: "/api/v1/admin/phone/lines/federal-main",
      headers: { authorization: admin.authorization },
      payload: { queue: "first_line", maxWaiting: 2 },
    });
    expect(set.statusCode).toBe(200);
    for (const id of ["wait-1", "wait-2"]) {
      await s.app.inject({
        method: "POST",
        url: `/api/v1/phone/events/${SECRET}`,
        payload: { event: "newCall", callId: id, from: "+79001230000", to: "+78005553535", queue: "first_line" },
      });
    }
    const offer = await turn(IVR, call("ivr-5"));
    expect(offer).toContain("Чтобы перейти на резервную линию 8‑800‑777‑88‑88, нажмите 1.");
    expect(offer).toContain("Чтобы мы вам перезвонили, нажмите 2.");
    const lines = await s.app.inject({ method: "GET", url: "/api/v1/directory/lines" });
    const main = lines
      .json()
      .groups.flatMap((g: { lines: unknown[] }) => g.lines)
      .find((l: { id: string }) => l.id === "federal-main");
    expect(main.overloaded).toBe(true);
    const dial = await turn(next(offer), { ...call("ivr-5"), Digits: "1" });
    expect(dial).toContain("<Dial>+78007778888</Dial>");

    for (const id of ["wait-1", "wait-2"]) {
      await s.app.inject({
        method: "POST",
        url: `/api/v1/phone/events/${SECRET}`,
        payload: { event: "hangup", callId: id },
      });
    }
    const calm = await turn(IVR, call("ivr-6"));
    expect(calm).toContain("нажмите 1.");
    expect(calm).not.toContain("резервную");
    const after = await s.app.inject({ method: "GET", url: "/api/v1/directory/lines" });
    const again = after
      .json()
      .groups.flatMap((g: { lines: unknown[] }) => g.lines)
      .find((l: { id: string }) => l.id === "federal-main");
    expect(again.overloaded).toBe(false);
  });

  it("verifies X-Twilio-Signature when a secret is set", async () => {
    const params = call("ivr-7");
    const body = new URLSearchParams(params).toString();
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const unsigned = await s.app.inject({ method: "POST", url: "/api/v1/phone/ivr", payload: body, headers });
    expect(unsigned.statusCode).toBe(401);
    const signature = twilioSignature(SECRET, "http://otklik.test/api/v1/phone/ivr", params);
    const signed = await s.app.inject({
      method: "POST",
      url: "/api/v1/phone/ivr",
      payload: body,
      headers: { ...headers, "x-twilio-signature": signature },
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain("<Response>");
    expect(next(signed.body)).toMatch(/^\/api\/v1\/phone\/ivr\?step=/);
  });
});

describe("wallboard", () => {
  it("counts waiting calls, longest wait, answered, abandoned, service level and operators on calls", async () => {
    const op = await s.staff("operator", { department: "first_line" });
    const ev = (payload: Record<string, unknown>) =>
      s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload: { queue: "wb", ...payload } });
    await ev({ event: "newCall", callId: "wb-1", from: "+79001231111", to: "+78005553535" });
    await ev({ event: "answer", callId: "wb-1", user: op.email });
    await ev({ event: "newCall", callId: "wb-2", from: "+79001232222", to: "+78005553535" });
    await ev({ event: "hangup", callId: "wb-2" });
    await ev({ event: "newCall", callId: "wb-3", from: "+79001233333", to: "+78005553535" });
    const res = await s.app.inject({
      method: "GET",
      url: "/api/v1/phone/wallboard",
      headers: { authorization: supervisor.authorization },
    });
    expect(res.statusCode).toBe(200);
    const wb = res.json().queues.find((q: { queue: string }) => q.queue === "wb");
    expect(wb).toMatchObject({ waiting: 1, answeredToday: 1, abandonedToday: 1, serviceLevel: 50 });
    expect(res.json().operators.onCalls).toEqual([{ id: op.id, name: expect.any(String) }]);
    const forbidden = await s.app.inject({
      method: "GET",
      url: "/api/v1/phone/wallboard",
      headers: { authorization: op.authorization },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe("the rating asked on the next call", () => {
  /** A phone request of this caller, resolved by an operator, its deliveries carried out. */
  async function resolvedCall(from: string, contact: Record<string, string> = {}) {
    const op = await s.staff("operator", { department: "first_line" });
    const r = await s.ctx.requests.register({
      text: "Не приходит код подтверждения при входе",
      category: "access",
      channel: "phone",
      contact: { phone: from, ...contact },
    });
    const res = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${r.number}/status`,
      headers: { authorization: op.authorization },
      payload: { status: "resolved" },
    });
    expect(res.statusCode, res.body).toBe(200);
    await s.ctx.worker.kick();
    return r.number;
  }
  const ratingOf = async (number: string) =>
    (await s.ctx.db.select({ rating: requests.rating }).from(requests).where(eq(requests.number, number)))[0]!.rating;

  it("asks a landline caller once, on the next call, and records the key pressed as the rating", async () => {
    at(WEDNESDAY_NOON);
    const from = "+74957001122";
    const number = await resolvedCall(from);
    vi.useRealTimers();

    at(WEDNESDAY_NOON);
    const greet = await turn(IVR, call("rate-1", "+78005553535", "8 (495) 700-11-22"));
    expect(greet).toContain("решено.");
    expect(greet).toContain("нажмите цифру от 1 до 5");
    expect(next(greet)).toContain("step=rate");
    const after = await turn(next(greet), { ...call("rate-1", "+78005553535", from), Digits: "4" });
    expect(after).toContain("Спасибо! Ваша оценка записана.");
    expect(after).toContain("нажмите 0.");
    expect(await ratingOf(number)).toBe(4);

    // The question is put once: the next call goes straight to the menu, and a replayed key changes nothing.
    const again = await turn(IVR, call("rate-2", "+78005553535", from));
    expect(again).not.toContain("решено.");
    await turn(next(greet), { ...call("rate-1", "+78005553535", from), Digits: "1" });
    expect(await ratingOf(number)).toBe(4);
  });

  it("does not ask another caller, nor one who heard by letter; a skipped question is not put again", async () => {
    at(WEDNESDAY_NOON);
    const byLetter = await resolvedCall("+74957003344", { email: "caller@example.ru" });
    const skipped = await resolvedCall("+74957005566");
    vi.useRealTimers();
    at(WEDNESDAY_NOON);

    expect(await turn(IVR, call("rate-3", "+78005553535", "+74957009999"))).not.toContain("решено.");
    expect(await turn(IVR, call("rate-4", "+78005553535", "+74957003344"))).not.toContain("решено.");
    expect(await ratingOf(byLetter)).toBeNull();

    const greet = await turn(IVR, call("rate-5", "+78005553535", "+74957005566"));
    expect(greet).toContain("решено.");
    const passed = await turn(next(greet), { ...call("rate-5", "+78005553535", "+74957005566"), Digits: "0" });
    expect(passed).not.toContain("Спасибо");
    expect(passed).toContain("нажмите 0.");
    expect(await ratingOf(skipped)).toBeNull();
    expect(await turn(IVR, call("rate-6", "+78005553535", "+74957005566"))).not.toContain("решено.");
  });
});
