// Which events the core hands to the channels, and which it does not even claim: a channel says from the delivery and
// the request's facts alone whether it may reach the applicant.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import type { Db } from "../../db/client.ts";
import { type EventMessage, jobFor, rowsOf } from "../../db/outbox.ts";
import { mergeJobs } from "../../server.ts";
import { deliveryJobs } from "./deliveries.ts";
import type { ChannelAdapter, Delivery, DeliveryTarget } from "./ports.ts";

const created = (data: Record<string, unknown>): EventMessage => ({
  id: 1,
  topic: "request.created",
  data: { requestId: 7, number: "7", ...data },
});

describe("the deliveries job", () => {
  const heard: string[] = [];
  const adapters: ChannelAdapter[] = [
    {
      channel: "email",
      reaches: (_: Delivery, r: DeliveryTarget) => r.hasEmail,
      deliver: async (d) => void heard.push(`email ${d.kind}`),
    },
    {
      channel: "sms",
      reaches: (_: Delivery, r: DeliveryTarget) => r.hasPhone,
      deliver: async (d) => void heard.push(`sms ${d.kind}`),
    },
  ];
  const job = deliveryJobs({} as Db, () => adapters)["request.created"]!;

  it("wants an event only when a channel reaches the applicant it is about", () => {
    const facts = { channel: "web", hasEmail: false, hasPhone: false };
    expect(job.wants!(created(facts))).toBe(false);
    expect(job.wants!(created({ ...facts, hasPhone: true }))).toBe(true);
    // An event written before events carried the facts is looked up by the job: wanted.
    expect(job.wants!(created({}))).toBe(true);
  });

  it("hands a delivery only to the channels that reach the applicant", async () => {
    heard.length = 0;
    await job(created({ channel: "web", hasEmail: true, hasPhone: false }), {} as Db);
    expect(heard).toEqual(["email registered"]);
  });
});

describe("several rooms' jobs on one topic", () => {
  it("want an event when any of them does, and only those that want it run", async () => {
    const ran: string[] = [];
    const job = (name: string, wants?: boolean) =>
      Object.assign(async () => void ran.push(name), wants === undefined ? {} : { wants: () => wants });
    const merged = mergeJobs([{ t: job("a", false) }, { t: job("b", true) }, { u: job("c", false) }, { u: job("d") }]);
    expect(merged.t!.wants!(created({}))).toBe(true);
    // A job that does not say wants every event.
    expect(merged.u!.wants).toBeUndefined();
    await merged.t!(created({}), {} as Db);
    await merged.u!(created({}), {} as Db);
    expect(ran).toEqual(["b", "d"]);
  });

  it("run set-based together when one of them is: each job gets the events it wants, and a failed one is reported", async () => {
    const ran: string[] = [];
    const event = (id: number, wantedByA: boolean): EventMessage => ({ id, topic: "t", data: { wantedByA } });
    // «a» is set-based and wants only some events; «b» runs one by one and fails on event 2; «c» is set-based and
    // throws, so it runs one by one too, and is not run for event 2 (the event failed already and is retried whole).
    const a = jobFor(
      (e) => e.data.wantedByA === true,
      async (e) => void ran.push(`a ${e.id}`),
      async (events) => {
        ran.push(`a [${events.map((e) => e.id).join(",")}]`);
        return new Map();
      },
    );
    const b = Object.assign(async (e: EventMessage) => {
      ran.push(`b ${e.id}`);
      if (e.id === 2) throw new Error("b failed");
    });
    const c = jobFor(
      () => true,
      async (e) => void ran.push(`c ${e.id}`),
      async () => {
        throw new Error("set-based c failed");
      },
    );
    const merged = mergeJobs([{ t: a }, { t: b }, { t: c }]);
    const failed = await merged.t!.many!([event(1, true), event(2, false), event(3, true)], {} as Db);
    expect(ran).toEqual(["a [1,3]", "b 1", "b 2", "b 3", "c 1", "c 3"]);
    expect([...failed.keys()]).toEqual([2]);
    // Without a set-based job among them, the topic has none.
    expect(mergeJobs([{ t: b }]).t!.many).toBeUndefined();
  });
});

describe("a registration's event", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer();
  });
  afterAll(() => s?.close());

  it("is never claimed when nobody has anything to do with it, and is claimed when the applicant can be told", async () => {
    const tag = `wants-${Date.now()}`;
    const bare = await s.ctx.requests.register({ text: `Не могу войти в личный кабинет, ${tag}-1`, channel: "web" });
    const mailed = await s.ctx.requests.register({
      text: `Не могу войти в личный кабинет, ${tag}-2`,
      contact: { email: "wants@example.ru" },
      channel: "web",
    });
    const state = async () =>
      rowsOf<{ number: string; done: boolean; attempts: number }>(
        await s.ctx.db.execute(sql`select payload->>'number' as number, processed_at is not null as done, attempts::int as attempts
          from events where topic = 'request.created' and payload->>'number' in (${bare.number}, ${mailed.number})`),
      );
    const end = Date.now() + 10_000;
    while (Date.now() < end && (await state()).some((r) => !r.done)) await new Promise((r) => setTimeout(r, 100));
    const rows = await state();
    expect(rows.find((r) => r.number === bare.number)).toMatchObject({ done: true, attempts: 0 });
    expect(rows.find((r) => r.number === mailed.number)).toMatchObject({ done: true, attempts: 1 });
  });
});
