// Outgoing webhooks against a receiver on 127.0.0.1: subscription, signatures, retries under one delivery id, order
// per request, personal data only when asked (and then audited), the address rules, redirects, the time limit, and a
// subscription stopped after a day of failures with the administrators told.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { listAudit } from "../audit/audit.ts";
import { applyCallEvent } from "../channels/phone/events.ts";
import { events } from "../db/schema.ts";
import { requestRowByNumber } from "../requests/queries.ts";
import { staffNotifications } from "../routing/sla-schema.ts";
import { webhookDeliveries, webhookSubscriptions } from "./db-schema.ts";
import { pruneLog } from "./store.ts";

type Hit = { path: string; headers: http.IncomingHttpHeaders; body: string };
type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

/** A receiver: records every POST and answers what the test tells it to for a path (200 by default). */
class Receiver {
  hits: Hit[] = [];
  answers = new Map<string, Answer[]>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      this.hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const a = this.answers.get(path)?.shift() ?? { status: 200, body: "ok" };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status, a.headers ?? { "content-type": "text/plain" });
        res.end(a.body ?? "");
      };
      if (a.delayMs) setTimeout(send, a.delayMs).unref();
      else send();
    });
  });
  base = "";

  async listen() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  on(path: string, ...answers: Answer[]) {
    this.answers.set(path, answers);
  }
  at(path: string) {
    return this.hits.filter((h) => h.path === path);
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let s: TestServer;
let admin: { authorization: string; id: number };
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.listen();
  s = await createTestServer({ webhookAllowLoopback: true });
  admin = await s.staff("administrator");
});
afterAll(async () => {
  await s?.close();
  await receiver.close();
});

const api = (method: "GET" | "POST" | "DELETE", url: string, payload?: unknown, authorization = admin.authorization) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });

async function subscribe(path: string, events: string[], includePersonalData?: boolean) {
  const res = await api("POST", "/admin/webhooks", {
    url: `${receiver.base}${path}`,
    events,
    ...(includePersonalData === undefined ? {} : { includePersonalData }),
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; secret: string };
}

/** Lets the outbox hand its events over and the delivery worker send what is due. */
async function settle() {
  await s.ctx.worker.kick();
  await s.ctx.worker.kick();
  const w = s.ctx.services.get("webhooks");
  await w.kick();
  await w.kick();
}

/** Makes a waiting retry due now (the back-off itself is counted in seconds to an hour). */
async function dueNow(subscriptionId: number) {
  await s.ctx.db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: new Date(Date.now() - 1000) })
    .where(and(eq(webhookDeliveries.subscriptionId, subscriptionId), eq(webhookDeliveries.status, "pending")));
}

async function newRequest(contact = { name: "Пётр Смирнов", email: "petr@example.ru", phone: "+7 912 345-67-89" }) {
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: "Не приходит код подтверждения при входе в личный кабинет", contact },
  });
  expect(res.statusCode).toBe(201);
  const { number } = res.json() as { number: string };
  const row = await requestRowByNumber(s.ctx.db, number);
  return { number, id: Number(row!.id) };
}

const sign = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("subscriptions", () => {
  it("subscribes with 201 and a secret shown once, lists, pauses, resumes and deletes", async () => {
    const made = await subscribe("/crud", ["request.created"]);
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = (await api("GET", "/admin/webhooks")).json() as Record<string, unknown>[];
    const mine = list.find((x) => x.id === made.id)!;
    expect(mine).toMatchObject({ url: `${receiver.base}/crud`, events: ["request.created"], status: "active" });
    expect(JSON.stringify(list)).not.toContain(made.secret);
    expect((await api("POST", `/admin/webhooks/${made.id}/pause`)).json()).toMatchObject({ status: "paused" });
    expect((await api("POST", `/admin/webhooks/${made.id}/resume`)).json()).toMatchObject({ status: "active" });
    expect((await api("DELETE", `/admin/webhooks/${made.id}`)).statusCode).toBe(204);
    const gone = await api("DELETE", `/admin/webhooks/${made.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().detail).toBe("Такой подписки на события нет.");
  });

  it("is for administrators only", async () => {
    const sup = await s.staff("supervisor");
    const op = await s.staff("operator");
    for (const who of [sup, op]) {
      const post = await api(
        "POST",
        "/admin/webhooks",
        { url: `${receiver.base}/x`, events: ["request.created"] },
        who.authorization,
      );
      expect(post.statusCode).toBe(403);
      expect((await api("GET", "/admin/webhooks", undefined, who.authorization)).statusCode).toBe(403);
    }
    const count = await s.ctx.db.select().from(webhookSubscriptions);
    expect(count.some((r) => r.url.endsWith("/x"))).toBe(false);
  });

  it("refuses an unknown event and a URL with a password in it", async () => {
    const bad = await api("POST", "/admin/webhooks", { url: `${receiver.base}/y`, events: ["request.noted"] });
    expect(bad.statusCode).toBe(400);
    const creds = await api("POST", "/admin/webhooks", {
      url: `http://user:pass@127.0.0.1:${new URL(receiver.base).port}/y`,
      events: ["request.created"],
    });
    expect(creds.statusCode).toBe(400);
    expect(creds.json().code).toBe("webhook_url_refused");
  });
});

describe("deliveries", () => {
  it("signs each delivery, keeps its id on a retry, and keeps a request's events in order", async () => {
    const sub = await subscribe("/order", [
      "request.created",
      "request.replied",
      "request.status_changed",
      "request.resolved",
    ]);
    // The first answer fails: everything after it for this request must wait for its retry.
    receiver.on("/order", { status: 500, body: "temporarily down" });
    const op = await s.staff("operator", { department: "first_line" });
    const r = await newRequest();
    await settle();
    const reply = await api(
      "POST",
      `/requests/${r.number}/messages`,
      { body: "Проверьте папку «Спам» и запросите код ещё раз.", visibility: "public" },
      op.authorization,
    );
    expect(reply.statusCode).toBe(200);
    const note = await api(
      "POST",
      `/requests/${r.number}/messages`,
      { body: "Заметка для коллег", visibility: "note" },
      op.authorization,
    );
    expect(note.statusCode).toBe(200);
    const resolve = await api("POST", `/requests/${r.number}/status`, { status: "resolved" }, op.authorization);
    expect(resolve.statusCode).toBe(200);
    await settle();

    // One attempt so far: the failed first one; the rest wait behind it.
    expect(receiver.at("/order").map((h) => h.headers["x-otklik-event"])).toEqual(["request.created"]);
    const log = (await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json() as Record<string, unknown>[];
    const first = log.find((d) => d.type === "request.created")!;
    expect(first).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, lastResponse: "temporarily down" });
    expect(first.lastDurationMs).toEqual(expect.any(Number));

    await dueNow(sub.id);
    await settle();
    const hits = receiver.at("/order");
    expect(hits.map((h) => h.headers["x-otklik-event"])).toEqual([
      "request.created",
      "request.created",
      "request.replied",
      "request.status_changed",
      "request.status_changed",
      "request.resolved",
    ]);
    // The retry is the same delivery: the same id header, the same body.
    expect(hits[1]!.headers["x-otklik-delivery"]).toBe(hits[0]!.headers["x-otklik-delivery"]);
    expect(hits[1]!.body).toBe(hits[0]!.body);
    for (const h of hits) {
      expect(h.headers["x-otklik-signature"]).toBe(sign(sub.secret, h.body));
      expect(h.headers["content-type"]).toBe("application/json");
      const body = JSON.parse(h.body) as {
        id: string;
        type: string;
        occurredAt: string;
        data: { request: { number: string } };
      };
      expect(body.id).toBe(h.headers["x-otklik-delivery"]);
      expect(body.type).toBe(h.headers["x-otklik-event"]);
      expect(new Date(body.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(body.data.request.number).toBe(r.number);
    }
    const bodies = hits.map((h) => JSON.parse(h.body));
    expect(bodies[3].data.change).toEqual({ from: "new", to: "in_progress" });
    expect(bodies[4].data.change).toEqual({ from: "in_progress", to: "resolved" });
    // A note is never sent, nor its words.
    expect(hits.some((h) => h.body.includes("Заметка"))).toBe(false);
    const after = (await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json() as Record<string, unknown>[];
    expect(after.every((d) => d.status === "delivered")).toBe(true);
    expect(after).toHaveLength(5);
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  });

  it("carries no contacts by default; with includePersonalData it does and each such delivery is audited", async () => {
    const plain = await subscribe("/plain", ["request.created"]);
    const full = await subscribe("/full", ["request.created"], true);
    const r = await newRequest({ name: "Анна Кузнецова", email: "anna.k@example.ru", phone: "+7 913 111-22-33" });
    await settle();
    const p = receiver.at("/plain").find((h) => JSON.parse(h.body).data.request.number === r.number)!;
    const f = receiver.at("/full").find((h) => JSON.parse(h.body).data.request.number === r.number)!;
    for (const needle of ["Анна", "anna.k@example.ru", "9131112233", "Не приходит код"]) {
      expect(p.body).not.toContain(needle);
    }
    const data = JSON.parse(f.body).data.request;
    expect(data.applicant).toEqual({ name: "Анна Кузнецова", email: "anna.k@example.ru", phone: "+79131112233" });
    expect(data.subject).toContain("Не приходит код");
    expect(f.headers["x-otklik-signature"]).toBe(sign(full.secret, f.body));

    const entries = await listAudit(s.ctx.db, { subjectType: "request", subjectId: String(r.id) });
    const sent = entries.filter((e) => e.action === "webhook.personal_data_sent");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.details).toMatchObject({ subscriptionId: full.id, type: "request.created", host: "127.0.0.1" });
    expect(JSON.stringify(sent[0]!.details)).toContain(f.headers["x-otklik-delivery"] as string);
    const subscribed = await listAudit(s.ctx.db, { subjectType: "webhook", subjectId: String(full.id) });
    expect(subscribed.map((e) => e.action)).toEqual(["webhook.subscribe_personal_data"]);
    await api("DELETE", `/admin/webhooks/${plain.id}`);
    await api("DELETE", `/admin/webhooks/${full.id}`);
  });

  it("does not follow a redirect", async () => {
    const sub = await subscribe("/moved", ["request.created"]);
    receiver.on("/moved", { status: 302, headers: { location: `${receiver.base}/elsewhere` } });
    await newRequest();
    await settle();
    expect(receiver.at("/moved")).toHaveLength(1);
    expect(receiver.at("/elsewhere")).toHaveLength(0);
    const [d] = (await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json() as Record<string, unknown>[];
    expect(d).toMatchObject({ status: "pending", lastStatus: 302 });
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  });

  it("gives a slow receiver five seconds", async () => {
    const sub = await subscribe("/slow", ["request.created"]);
    // The receiver would answer after 30 s: the attempt is cut at 5 s, long before (a bound with room for a loaded
    // machine, not a speed target).
    receiver.on("/slow", { status: 200, delayMs: 30_000 });
    // Timed from before the request: its delivery may already be under way when the registration's answer arrives.
    const started = Date.now();
    await newRequest();
    await settle();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(4900);
    expect(took).toBeLessThan(25_000);
    const [d] = (await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json() as Record<string, unknown>[];
    expect(d).toMatchObject({ status: "pending", lastStatus: null, lastError: "timeout" });
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  }, 60_000);

  it("stops a subscription whose deliveries failed for a day and tells the administrators", async () => {
    const sub = await subscribe("/down", ["request.created"]);
    receiver.on("/down", ...Array.from({ length: 5 }, () => ({ status: 503 })));
    await newRequest();
    await settle();
    expect(receiver.at("/down")).toHaveLength(1);
    // A day of retries has gone by.
    await s.ctx.db
      .update(webhookDeliveries)
      .set({ expiresAt: new Date(Date.now() - 1000), nextAttemptAt: new Date(Date.now() - 1000) })
      .where(eq(webhookDeliveries.subscriptionId, sub.id));
    await settle();
    expect(receiver.at("/down")).toHaveLength(2);
    const [d] = (await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json() as Record<string, unknown>[];
    expect(d).toMatchObject({ status: "failed", attempts: 2, lastStatus: 503 });
    const list = (await api("GET", "/admin/webhooks")).json() as Record<string, unknown>[];
    expect(list.find((x) => x.id === sub.id)).toMatchObject({ status: "disabled", failed: 1 });
    const notes = await s.ctx.db
      .select()
      .from(staffNotifications)
      .where(and(eq(staffNotifications.userId, admin.id), eq(staffNotifications.kind, "webhook_disabled")));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toContain("127.0.0.1");
    expect(notes[0]!.title).not.toContain(sub.secret);
    // The log keeps what is done for 30 days: its bodies may carry contacts.
    await s.ctx.db
      .update(webhookDeliveries)
      .set({ createdAt: new Date(Date.now() - 31 * 86_400_000) })
      .where(eq(webhookDeliveries.subscriptionId, sub.id));
    expect(await pruneLog(s.ctx.db)).toBeGreaterThanOrEqual(1);
    expect((await api("GET", `/admin/webhooks/${sub.id}/deliveries`)).json()).toEqual([]);
    // A disabled subscription takes no new events.
    await newRequest();
    await settle();
    expect(receiver.at("/down")).toHaveLength(2);
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  });
});

describe("order and the other sources", () => {
  it("holds a request's delivery while an earlier event of that request is still being handled elsewhere", async () => {
    const sub = await subscribe("/held", ["request.replied"]);
    const op = await s.staff("operator", { department: "first_line" });
    const r = await newRequest();
    await settle();
    // Another process has claimed an earlier event of this request and is still at it.
    const [earlier] = await s.ctx.db
      .insert(events)
      .values({
        topic: "request.assigned",
        payload: { requestId: r.id },
        lockedUntil: new Date(Date.now() + 3_600_000),
        attempts: 1,
      })
      .returning({ id: events.id });
    const reply = await api(
      "POST",
      `/requests/${r.number}/messages`,
      { body: "Ответ, который должен подождать.", visibility: "public" },
      op.authorization,
    );
    expect(reply.statusCode).toBe(200);
    await settle();
    expect(receiver.at("/held")).toHaveLength(0);
    await s.ctx.db.update(events).set({ processedAt: new Date() }).where(eq(events.id, earlier!.id));
    await settle();
    expect(receiver.at("/held").map((h) => h.headers["x-otklik-event"])).toEqual(["request.replied"]);
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  });

  it("announces an incident declared and resolved, and a call nobody answered", async () => {
    const sub = await subscribe("/ops", ["incident.declared", "incident.resolved", "call.missed"], true);
    const sup = await s.staff("supervisor");
    const declared = await api(
      "POST",
      "/incidents",
      { title: "Не приходят СМС с кодом", keywords: ["смс"] },
      sup.authorization,
    );
    expect(declared.statusCode).toBe(201);
    const incidentId = declared.json().id as number;
    // A delivery's body is the incident as it is when the delivery is queued: the declaration's is queued before the
    // resolution (without this the outbox may reach the declaration only after the resolution, on a busy machine).
    await settle();
    const resolved = await api(
      "POST",
      `/incidents/${incidentId}/resolve`,
      { message: "СМС снова доставляются." },
      sup.authorization,
    );
    expect(resolved.statusCode).toBe(200);
    // Likewise the resolution before the call: deliveries of different subjects keep no order among themselves.
    await settle();
    await applyCallEvent(s.ctx, { event: "newCall", callId: "pbx-missed-1", from: "+79125550011", to: "88001234567" });
    await applyCallEvent(s.ctx, { event: "hangup", callId: "pbx-missed-1", cause: "caller_hangup" });
    await applyCallEvent(s.ctx, { event: "newCall", callId: "pbx-answered-1", from: "+79125550012" });
    await settle();
    const hits = receiver
      .at("/ops")
      .map((h) => JSON.parse(h.body) as { type: string; data: Record<string, Record<string, unknown>> });
    expect(hits.map((h) => h.type)).toEqual(["incident.declared", "incident.resolved", "call.missed"]);
    expect(hits[0]!.data.incident).toMatchObject({
      id: incidentId,
      title: "Не приходят СМС с кодом",
      status: "active",
    });
    expect(hits[1]!.data.incident).toMatchObject({ id: incidentId, status: "resolved" });
    expect(hits[2]!.data.call).toMatchObject({ from: "+79125550011", cause: "caller_hangup" });
    const audited = await listAudit(s.ctx.db, { subjectType: "call", subjectId: String(hits[2]!.data.call!.id) });
    expect(audited.map((e) => e.action)).toEqual(["webhook.personal_data_sent"]);
    await api("DELETE", `/admin/webhooks/${sub.id}`);
  });
});

describe("addresses inside the network, without OTKLIK_WEBHOOK_ALLOW_LOOPBACK", () => {
  let strict: TestServer;
  let auth: string;
  beforeAll(async () => {
    strict = await createTestServer({ webhookAllowHosts: ["10.20.0.0/16"] });
    auth = (await strict.staff("administrator")).authorization;
  });
  afterAll(() => strict?.close());

  const post = (url: string) =>
    strict.app.inject({
      method: "POST",
      url: "/api/v1/admin/webhooks",
      headers: { authorization: auth },
      payload: { url, events: ["request.created"] },
    });

  it.each([
    ["https://127.0.0.1/hook", "webhook_address_refused"],
    ["https://10.1.2.3/hook", "webhook_address_refused"],
    ["https://169.254.169.254/latest/meta-data", "webhook_address_refused"],
    ["https://[::1]/hook", "webhook_address_refused"],
    ["https://[::ffff:127.0.0.1]/hook", "webhook_address_refused"],
    ["https://[::ffff:a9fe:a9fe]/hook", "webhook_address_refused"],
    ["https://[fd00::1]/hook", "webhook_address_refused"],
    ["https://[fe80::1]/hook", "webhook_address_refused"],
    ["https://192.168.1.1/hook", "webhook_address_refused"],
    ["https://localhost/hook", "webhook_address_refused"],
    ["https://2130706433/hook", "webhook_address_refused"],
    ["https://0x7f.1/hook", "webhook_address_refused"],
    ["https://[::]/hook", "webhook_address_refused"],
    ["http://93.184.216.34/hook", "webhook_url_refused"],
    ["ftp://93.184.216.34/hook", "webhook_url_refused"],
  ])("refuses %s", async (url, code) => {
    const res = await post(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect(res.json().detail).toMatch(/\.$/);
  });

  it("accepts a private range listed in OTKLIK_WEBHOOK_ALLOW_HOSTS", async () => {
    expect((await post("https://10.20.3.4/hook")).statusCode).toBe(201);
  });
});
