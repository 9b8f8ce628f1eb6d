// The console's single live stream: every feed over one connection, each event filtered per staff member.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emit } from "../db/outbox.ts";
import { departments } from "../staff/schema.ts";

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await createTestServer({ port: 0 });
  url = server.url;
});
afterAll(async () => server?.close());

/** Opens the stream and collects the `update` payloads until stopped. */
async function listen(authorization: string, query = "") {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/console/stream${query}`, {
    headers: { authorization },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const updates: Record<string, unknown>[] = [];
  const state = { signedOut: false, ended: false };
  let ready!: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const reading = (async () => {
    const reader = res.body!.getReader();
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          state.ended = true;
          return;
        }
        text += new TextDecoder().decode(value);
        let end = text.indexOf("\n\n");
        while (end >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (block.startsWith("event: ready")) ready();
          if (block.startsWith("event: signed_out")) state.signedOut = true;
          const data = /^event: update\ndata: (.*)$/m.exec(block);
          if (data) updates.push(JSON.parse(data[1]!));
          end = text.indexOf("\n\n");
        }
      }
    } catch {
      // aborted
    }
  })();
  await isReady;
  return {
    updates,
    state,
    async stop() {
      controller.abort();
      await reading;
    },
  };
}

async function departmentId(code: string) {
  const [d] = await server.ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code));
  return d!.id;
}

describe("GET /api/v1/console/stream", () => {
  it("carries every feed over one connection, each filtered for the staff member", async () => {
    const boss = await server.staff("supervisor");
    const specialist = await server.staff("specialist", { department: "e_signature" });
    const bossStream = await listen(boss.authorization);
    const specialistStream = await listen(specialist.authorization);

    const technical = await departmentId("technical");
    const signature = await departmentId("e_signature");
    await server.ctx.db.transaction(async (tx) => {
      await emit(tx, "request.created", { requestId: 1, number: "1000001", departmentId: technical });
      await emit(tx, "request.created", { requestId: 2, number: "1000002", departmentId: signature });
      await emit(tx, "staff.notification", { userId: specialist.id, notificationId: 77, requestId: 2 });
      await emit(tx, "phone.call", {
        callId: 5,
        event: "newCall",
        state: "ringing",
        queue: "e_signature",
        userId: null,
      });
    });

    await expect.poll(() => specialistStream.updates.length, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => bossStream.updates.length, { timeout: 10_000 }).toBe(3);
    // The specialist hears their department's request, their own notification and their queue's call.
    expect(specialistStream.updates).toEqual([
      { feed: "requests", topic: "request.created", number: "1000002" },
      { feed: "notifications", id: 77 },
      expect.objectContaining({ feed: "phone", callId: 5, state: "ringing" }),
    ]);
    // The supervisor hears every request and call, and no one else's notifications.
    expect(bossStream.updates.map((u) => [u.feed, u.number ?? u.callId])).toEqual([
      ["requests", "1000001"],
      ["requests", "1000002"],
      ["phone", 5],
    ]);
    await bossStream.stop();
    await specialistStream.stop();
  });

  it("takes a chosen subset of feeds", async () => {
    const boss = await server.staff("supervisor");
    const stream = await listen(boss.authorization, "?feeds=phone");
    await server.ctx.db.transaction(async (tx) => {
      await emit(tx, "request.created", { requestId: 3, number: "1000003", departmentId: null });
      await emit(tx, "phone.call", { callId: 6, event: "hangup", state: "ended", queue: null, userId: null });
    });
    await expect.poll(() => stream.updates.length, { timeout: 10_000 }).toBe(1);
    expect(stream.updates[0]).toMatchObject({ feed: "phone", callId: 6 });
    await stream.stop();
  });

  it("refuses an unknown feed with a Russian message, and anyone without a staff login", async () => {
    const boss = await server.staff("supervisor");
    const bad = await fetch(`${url}/api/v1/console/stream?feeds=requests,gossip`, {
      headers: { authorization: boss.authorization },
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { code: string; detail: string };
    expect(problem.code).toBe("validation_failed");
    expect(problem.detail).toContain("gossip");

    const anonymous = await fetch(`${url}/api/v1/console/stream`);
    expect(anonymous.status).toBe(401);
  });
});

describe("a staff stream outlives no change of its credentials", () => {
  const patchUser = async (admin: string, id: number, body: object) => {
    const res = await fetch(`${url}/api/v1/admin/users/${id}`, {
      method: "PATCH",
      headers: { authorization: admin, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const announce = (n: number) =>
    server.ctx.db.transaction((tx) =>
      emit(tx, "request.created", { requestId: n, number: String(1_000_000 + n), departmentId: null }),
    );

  it("ends at once, saying so, when the employee is switched off, given another role, or their token is revoked", async () => {
    const admin = (await server.staff("administrator")).authorization;
    const switchedOff = await server.staff("supervisor");
    const demoted = await server.staff("supervisor");
    const revoked = await server.staff("supervisor");
    const untouched = await server.staff("supervisor");
    const streams = {
      switchedOff: await listen(switchedOff.authorization, "?feeds=requests"),
      demoted: await listen(demoted.authorization, "?feeds=requests"),
      revoked: await listen(revoked.authorization, "?feeds=requests"),
      untouched: await listen(untouched.authorization, "?feeds=requests"),
    };

    await patchUser(admin, switchedOff.id, { active: false });
    await patchUser(admin, demoted.id, { role: "specialist", departmentId: await departmentId("technical") });
    const tokens = await fetch(`${url}/api/v1/admin/tokens`, { headers: { authorization: admin } });
    expect(tokens.status).toBe(200);
    const token = ((await tokens.json()) as { id: number; user: { id: number } }[]).find(
      (t) => t.user.id === revoked.id,
    );
    expect(token).toBeDefined();
    const revoke = await fetch(`${url}/api/v1/admin/tokens/${token!.id}`, {
      method: "DELETE",
      headers: { authorization: admin },
    });
    expect(revoke.status).toBe(204);

    for (const name of ["switchedOff", "demoted", "revoked"] as const) {
      await expect.poll(() => streams[name].state.ended, { timeout: 10_000 }).toBe(true);
      expect(streams[name].state.signedOut).toBe(true);
    }
    // Nothing reaches the ended streams; the others go on.
    await announce(91);
    await expect.poll(() => streams.untouched.updates.length, { timeout: 10_000 }).toBe(1);
    expect(streams.untouched.state.ended).toBe(false);
    for (const name of ["switchedOff", "demoted", "revoked"] as const) expect(streams[name].updates).toEqual([]);
    for (const stream of Object.values(streams)) await stream.stop();
  });
});
