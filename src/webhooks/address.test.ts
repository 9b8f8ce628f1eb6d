import { describe, expect, it } from "vitest";
import { checkUrlShape, refusal, resolveChecked, unmapped } from "./address.ts";
import { plan, SOURCE_TOPICS } from "./events.ts";

const strict = { allowLoopback: false, allowHosts: [] };

describe("which addresses a webhook may reach", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.9",
    "0.0.0.0",
    "10.0.0.1",
    "100.64.1.1",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.10",
    "198.18.0.1",
    "224.0.0.251",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "0:0:0:0:0:ffff:a00:1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "2001:db8::1",
  ])("refuses %s", (a) => {
    expect(refusal("example.ru", a, strict)).not.toBeNull();
  });

  it.each(["93.184.216.34", "77.88.55.88", "172.32.0.1", "2a02:6b8::2:242", "::ffff:5db8:d822"])("accepts %s", (a) => {
    expect(refusal("example.ru", a, strict)).toBeNull();
  });

  it("unmaps IPv4-mapped IPv6 addresses in every spelling", () => {
    expect(unmapped("::ffff:10.1.2.3")).toEqual({ address: "10.1.2.3", family: 4 });
    expect(unmapped("::FFFF:0A01:0203")).toEqual({ address: "10.1.2.3", family: 4 });
    expect(unmapped("2001:db8::1")).toEqual({ address: "2001:db8::1", family: 6 });
  });

  it("lets loopback through only with the flag, and private ranges only when listed", () => {
    const loop = { allowLoopback: true, allowHosts: [] };
    expect(refusal("x", "127.0.0.1", loop)).toBeNull();
    expect(refusal("x", "::ffff:127.0.0.1", loop)).toBeNull();
    expect(refusal("x", "10.0.0.1", loop)).toBe("internal");
    const listed = { allowLoopback: false, allowHosts: ["crm.corp.local", "10.20.0.0/16", "fd00::5"] };
    expect(refusal("crm.corp.local", "10.9.9.9", listed)).toBeNull();
    expect(refusal("other.corp.local", "10.9.9.9", listed)).toBe("internal");
    expect(refusal("x", "10.20.1.1", listed)).toBeNull();
    expect(refusal("x", "::ffff:10.20.1.1", listed)).toBeNull();
    expect(refusal("x", "fd00::5", listed)).toBeNull();
    expect(refusal("x", "fd00::6", listed)).toBe("internal");
    expect(refusal("x", "127.0.0.1", listed)).toBe("loopback");
  });

  it("refuses a name that resolves to loopback, and plain http without the flag", async () => {
    await expect(resolveChecked(new URL("https://localhost/x"), strict)).rejects.toMatchObject({
      code: "address_refused",
    });
    expect(() => checkUrlShape("http://example.ru/x", strict)).toThrow();
    expect(() => checkUrlShape("https://u:p@example.ru/x", strict)).toThrow();
    expect(checkUrlShape("http://127.0.0.1:9/x", { allowLoopback: true, allowHosts: [] }).port).toBe("9");
  });
});

describe("what an outbox event means for subscribers", () => {
  const ev = (topic: string, data: Record<string, unknown>) => ({ id: 1, topic, data });

  it("a staff reply that takes the request into work is a reply and a status change, in that order", () => {
    expect(
      plan(ev("request.replied", { requestId: 5, messageId: 9, visibility: "public", status: ["new", "in_progress"] })),
    ).toEqual([
      { type: "request.replied", subject: "request:5" },
      { type: "request.status_changed", subject: "request:5" },
    ]);
  });

  it("a duplicate closed by a merge is heard as a status change of it (the room listens to merges)", () => {
    expect(SOURCE_TOPICS).toContain("request.merged");
    expect(plan(ev("request.merged", { requestId: 5, status: ["in_progress", "closed"] }))).toEqual([
      { type: "request.status_changed", subject: "request:5" },
    ]);
  });

  it("a note, the applicant's own message and an unchanged status make nothing", () => {
    expect(plan(ev("request.noted", { requestId: 5, messageId: 9, visibility: "note" }))).toEqual([]);
    expect(plan(ev("request.applicant_replied", { requestId: 5, messageId: 9, visibility: "public" }))).toEqual([]);
    expect(plan(ev("request.updated", { requestId: 5, status: ["new", "new"] }))).toEqual([]);
  });

  it("a resolution is a status change and a resolution; escalation, rating, incidents and a missed call map", () => {
    expect(
      plan(ev("request.status_changed", { requestId: 5, status: ["in_progress", "resolved"] })).map((p) => p.type),
    ).toEqual(["request.status_changed", "request.resolved"]);
    expect(
      plan(ev("request.escalated", { requestId: 5, status: ["in_progress", "escalated"] })).map((p) => p.type),
    ).toEqual(["request.escalated", "request.status_changed"]);
    expect(plan(ev("request.rated", { requestId: 5 }))).toEqual([{ type: "request.rated", subject: "request:5" }]);
    expect(plan(ev("incident.declared", { incidentId: 3 }))).toEqual([
      { type: "incident.declared", subject: "incident:3" },
    ]);
    expect(plan(ev("phone.call", { callId: 7, event: "hangup", state: "abandoned" }))).toEqual([
      { type: "call.missed", subject: "call:7" },
    ]);
    expect(plan(ev("phone.call", { callId: 7, event: "hangup", state: "ended" }))).toEqual([]);
  });
});
