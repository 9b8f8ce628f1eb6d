// Administration of employees and departments through the API: an invitation's one-time link, role and department,
// a password reset, a second-factor reset, departments' working hours and the SLA clock that runs in them. Each change
// leaves its audit entry; supervisors read, only administrators change.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { listAudit } from "../audit/audit.ts";
import { requestHistory, requests } from "../requests/schema.ts";
import { slaDueAt } from "../routing/sla-service.ts";
import { inviteUser, resetPassword } from "./admin.ts";
import { users } from "./schema.ts";

let s: TestServer;
let admin: Awaited<ReturnType<TestServer["staff"]>>;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
beforeAll(async () => {
  s = await createTestServer();
  admin = await s.staff("administrator");
  supervisor = await s.staff("supervisor");
  operator = await s.staff("operator");
});
afterAll(() => s?.close());

type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
const call = (method: Method, url: string, who: { authorization: string } | null, payload?: object) =>
  s.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: who ? { authorization: who.authorization } : {},
    remoteAddress: "10.9.0.1",
    ...(payload ? { payload } : {}),
  });

let ip = 0;
const login = (email: string, password: string) =>
  s.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress: `10.9.1.${++ip}`,
    payload: { email, password },
  });

// The log as stored: the API's view of it leaves the details out.
const auditOf = (subjectType: string, subjectId: number) =>
  listAudit(s.ctx.db, { subjectType, subjectId: String(subjectId) });

const tokenOf = (url: string) => url.split("#")[1]!;

describe("an invitation", () => {
  it("creates the account without a password and a link, shown once, that sets it and is then spent", async () => {
    const res = await call("POST", "/admin/users/invite", admin, {
      email: "new.operator@otklik.test",
      name: "Анна Новикова",
      role: "operator",
    });
    expect(res.statusCode, res.body).toBe(201);
    const { account, link } = res.json() as { account: { id: number }; link: { url: string; expiresAt: string } };
    expect(link.url).toMatch(/^http:\/\/otklik\.test\/console\/password#[A-Za-z0-9_-]{20,}$/);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
    const listed = (await call("GET", "/admin/users", admin)).json() as { id: number; hasPassword: boolean }[];
    expect(listed.find((u) => u.id === account.id)?.hasPassword).toBe(false);
    // Nothing opens the account before the link is used.
    expect((await login("new.operator@otklik.test", "")).statusCode).toBe(400);

    const token = tokenOf(link.url);
    const who = await call("GET", `/auth/password-link/${token}`, null);
    expect(who.json()).toEqual({ purpose: "invite", email: "new.operator@otklik.test", name: "Анна Новикова" });
    const weak = await call("POST", "/auth/password-link", null, { token, password: "короткий" });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe("weak_password");
    const set = await call("POST", "/auth/password-link", null, { token, password: "новый-пароль-2026" });
    expect(set.statusCode, set.body).toBe(200);
    expect((await login("new.operator@otklik.test", "новый-пароль-2026")).statusCode).toBe(200);
    // Spent: a second use and a look are both refused.
    expect(
      (await call("POST", "/auth/password-link", null, { token, password: "другой-пароль-2027" })).statusCode,
    ).toBe(404);
    expect((await call("GET", `/auth/password-link/${token}`, null)).statusCode).toBe(404);

    const entries = await auditOf("user", account.id);
    expect(entries.map((e) => e.action)).toEqual(["user.password_set", "user.invite"]);
    expect(entries[1]!.actorId).toBe(admin.id);
    expect(entries[0]!.actorId).toBe(account.id);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it("is refused to a supervisor and for an address already taken", async () => {
    const body = { email: operator.email, name: "Дубль", role: "operator" };
    expect((await call("POST", "/admin/users/invite", supervisor, body)).statusCode).toBe(403);
    const taken = await call("POST", "/admin/users/invite", admin, body);
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe("user_exists");
  });
});

describe("role, department and name", () => {
  it("change with one audit entry of what was and what became; a new role ends the sessions", async () => {
    const op = await s.staff("operator");
    const session = await login(op.email, "staff-password-1");
    const cookie = String(session.headers["set-cookie"]).split(";")[0]!;
    const depts = (await call("GET", "/admin/departments", admin)).json() as { id: number; code: string }[];
    const technical = depts.find((d) => d.code === "technical")!;
    const res = await call("PATCH", `/admin/users/${op.id}`, admin, {
      role: "specialist",
      departmentId: technical.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ role: "specialist", departmentId: technical.id, active: true });
    const me = await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(me.statusCode).toBe(401);
    const [entry] = await auditOf("user", op.id);
    expect(entry).toMatchObject({
      action: "user.update",
      actorId: admin.id,
      details: { from: { role: "operator", department: null }, to: { role: "specialist", department: technical.id } },
    });
  });

  it("is refused to a supervisor, for an unknown department, and to an administrator demoting himself", async () => {
    const op = await s.staff("operator");
    expect((await call("PATCH", `/admin/users/${op.id}`, supervisor, { role: "supervisor" })).statusCode).toBe(403);
    const unknown = await call("PATCH", `/admin/users/${op.id}`, admin, { departmentId: 999_999 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe("unknown_department");
    const self = await call("PATCH", `/admin/users/${admin.id}`, admin, { role: "operator" });
    expect(self.statusCode).toBe(400);
    expect(self.json().code).toBe("self_demotion");
    expect((await call("PATCH", `/admin/users/${op.id}`, admin, {})).statusCode).toBe(400);
  });

  it("supervisors read the list of employees; operators do not", async () => {
    expect((await call("GET", "/admin/users", supervisor)).statusCode).toBe(200);
    expect((await call("GET", "/admin/users", operator)).statusCode).toBe(403);
  });
});

describe("a password reset", () => {
  it("stops the old password and the sessions at once and gives a one-day link", async () => {
    const op = await s.staff("operator");
    const session = await login(op.email, "staff-password-1");
    const cookie = String(session.headers["set-cookie"]).split(";")[0]!;
    expect((await call("POST", `/admin/users/${op.id}/password-reset`, supervisor)).statusCode).toBe(403);
    const res = await call("POST", `/admin/users/${op.id}/password-reset`, admin);
    expect(res.statusCode, res.body).toBe(200);
    const { url, expiresAt } = res.json() as { url: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect((await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } })).statusCode).toBe(401);
    expect((await login(op.email, "staff-password-1")).statusCode).toBe(401);
    const who = await call("GET", `/auth/password-link/${tokenOf(url)}`, null);
    expect(who.json()).toMatchObject({ purpose: "reset", email: op.email });

    // A second reset replaces the first link.
    const again = (await call("POST", `/admin/users/${op.id}/password-reset`, admin)).json() as { url: string };
    expect((await call("GET", `/auth/password-link/${tokenOf(url)}`, null)).statusCode).toBe(404);
    const set = await call("POST", "/auth/password-link", null, {
      token: tokenOf(again.url),
      password: "сменил-2026-пароль",
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await login(op.email, "сменил-2026-пароль")).statusCode).toBe(200);
    expect((await auditOf("user", op.id)).map((e) => e.action)).toEqual([
      "user.password_set",
      "user.password_reset",
      "user.password_reset",
    ]);
  });
});

describe("a second-factor reset", () => {
  it("switches TOTP off once, audited; a second reset finds nothing to reset", async () => {
    const op = await s.staff("operator");
    await s.ctx.db.update(users).set({ totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DP" }).where(eq(users.id, op.id));
    const listed = (await call("GET", "/admin/users", admin)).json() as { id: number; secondFactor: boolean }[];
    expect(listed.find((u) => u.id === op.id)?.secondFactor).toBe(true);
    expect((await call("DELETE", `/admin/users/${op.id}/totp`, supervisor)).statusCode).toBe(403);
    expect((await call("DELETE", `/admin/users/${op.id}/totp`, admin)).statusCode).toBe(200);
    const again = await call("DELETE", `/admin/users/${op.id}/totp`, admin);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("totp_not_enrolled");
    // Signing in needs the password alone now.
    expect((await login(op.email, "staff-password-1")).statusCode).toBe(200);
    expect((await auditOf("user", op.id)).map((e) => e.action)).toEqual(["user.totp_reset"]);
  });
});

describe("deactivation through the same change", () => {
  it("switches an employee off and on again, each audited", async () => {
    const op = await s.staff("operator");
    expect((await call("PATCH", `/admin/users/${op.id}`, admin, { active: false })).json()).toMatchObject({
      active: false,
    });
    expect((await call("GET", "/auth/me", op)).statusCode).toBe(401);
    expect((await call("PATCH", `/admin/users/${op.id}`, admin, { active: true })).json()).toMatchObject({
      active: true,
    });
    expect((await auditOf("user", op.id)).map((e) => e.action)).toEqual(["user.activate", "user.deactivate"]);
  });
});

describe("departments' working hours", () => {
  it("default to 09:00–18:00 Moscow time; supervisors read them, operators do not", async () => {
    const res = await call("GET", "/admin/departments", supervisor);
    expect(res.statusCode).toBe(200);
    const list = res.json() as { code: string; hours: object }[];
    expect(list.find((d) => d.code === "first_line")?.hours).toEqual({
      zone: "Europe/Moscow",
      from: "09:00",
      to: "18:00",
    });
    expect((await call("GET", "/admin/departments", operator)).statusCode).toBe(403);
    expect((await call("PATCH", "/admin/departments/1", supervisor, { name: "Другое" })).statusCode).toBe(403);
  });

  it("change with an audit entry, and the SLA's working time of the department's requests runs in them", async () => {
    const list = (await call("GET", "/admin/departments", admin)).json() as { id: number; code: string }[];
    const first = list.find((d) => d.code === "first_line")!;
    // Monday 1 December 2025, 07:00 Moscow time: a working day of the production calendar.
    const at = new Date("2025-12-01T04:00:00Z");
    const key = { channel: "web", category: "access", priority: "normal" };
    const before = slaDueAt(s.ctx, key, at);
    const res = await call("PATCH", `/admin/departments/${first.id}`, admin, { hours: { from: "08:00", to: "20:00" } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ hours: { zone: "Europe/Moscow", from: "08:00", to: "20:00" } });
    const after = slaDueAt(s.ctx, key, at);
    expect(before.firstResponseBasis).toBe("working");
    // The working day opens an hour earlier, so a target counted in working time falls due an hour earlier.
    expect(before.firstResponseDueAt.getTime() - after.firstResponseDueAt.getTime()).toBe(3600_000);
    const [entry] = await auditOf("department", first.id);
    expect(entry).toMatchObject({
      action: "department.update",
      actorId: admin.id,
      details: { from: { hours: { from: "09:00", to: "18:00" } }, to: { hours: { from: "08:00", to: "20:00" } } },
    });
    await call("PATCH", `/admin/departments/${first.id}`, admin, { hours: { from: "09:00", to: "18:00" } });
  });

  it("refuse hours that end before they begin, an unknown zone and a department that does not exist", async () => {
    const backwards = await call("PATCH", "/admin/departments/1", admin, { hours: { from: "18:00", to: "09:00" } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: "validation_failed", field: "hours.to" });
    const zone = await call("PATCH", "/admin/departments/1", admin, {
      hours: { zone: "Марс/Олимп", from: "09:00", to: "18:00" },
    });
    expect(zone.statusCode).toBe(400);
    const bad = await call("PATCH", "/admin/departments/1", admin, { hours: { from: "25:00", to: "26:00" } });
    expect(bad.statusCode).toBe(400);
    const missing = await call("PATCH", "/admin/departments/99999", admin, { name: "Нет" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().subject).toBe("department");
  });

  it("a new department is added once, audited", async () => {
    const body = { code: "callback", name: "Обратные звонки", hours: { from: "10:00", to: "22:00" } };
    const res = await call("POST", "/admin/departments", admin, body);
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json() as { id: number };
    expect((await call("POST", "/admin/departments", admin, body)).json().code).toBe("department_exists");
    expect((await auditOf("department", id)).map((e) => e.action)).toEqual(["department.create"]);
  });
});

describe("a request moved to another department", () => {
  it("counts its working-time due times in the receiving department's hours, with the change in its history", async () => {
    const created = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не могу войти в личный кабинет: пишет, что учётная запись заблокирована.", category: "access" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { number } = created.json() as { number: string };
    // Filed on Monday 1 December 2025 at 07:00 Moscow time, in the first line's hours (09:00–18:00): one working
    // day for the first answer falls due at 18:00.
    const at = new Date("2025-12-01T04:00:00Z");
    const first = slaDueAt(s.ctx, { channel: "web", category: "access", priority: "normal" }, at);
    expect(first.firstResponseDueAt.toISOString()).toBe("2025-12-01T15:00:00.000Z");
    await s.ctx.db
      .update(requests)
      .set({ createdAt: at, firstResponseDueAt: first.firstResponseDueAt, resolutionDueAt: first.resolutionDueAt })
      .where(eq(requests.number, number));
    // The evening desk works 12:00–22:00: the same working day ends at 21:00.
    const desk = await call("POST", "/admin/departments", admin, {
      code: "evening",
      name: "Вечерняя смена",
      hours: { from: "12:00", to: "22:00" },
    });
    expect(desk.statusCode, desk.body).toBe(201);
    const moved = await call("POST", `/requests/${number}/escalate`, operator, {
      department: "evening",
      reason: "Разблокировка — у вечерней смены",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const [row] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(row!.firstResponseDueAt!.toISOString()).toBe("2025-12-01T18:00:00.000Z");
    // Calendar time (the 30 days of the law) does not depend on a department's hours.
    expect(row!.resolutionDueAt!.toISOString()).toBe(first.resolutionDueAt.toISOString());
    const [history] = await s.ctx.db
      .select()
      .from(requestHistory)
      .where(and(eq(requestHistory.requestId, row!.id), eq(requestHistory.action, "escalated")));
    expect(history!.changes).toMatchObject({
      department: ["first_line", "evening"],
      firstResponseDueAt: ["2025-12-01T15:00:00.000Z", "2025-12-01T18:00:00.000Z"],
    });
    expect(history!.changes).not.toHaveProperty("resolutionDueAt");
  });
});

describe("SLA settings", () => {
  it("every change of a policy and of the ladder is audited; supervisors read them and change nothing", async () => {
    const policy = {
      channel: "chat",
      category: "technical",
      priority: null,
      firstResponse: { minutes: 30, basis: "calendar" },
      resolution: { minutes: 3 * 24 * 60, basis: "working" },
    };
    expect((await call("POST", "/admin/sla/policies", supervisor, policy)).statusCode).toBe(403);
    expect((await call("GET", "/admin/sla/policies", supervisor)).statusCode).toBe(200);
    const made = await call("POST", "/admin/sla/policies", admin, policy);
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json() as { id: number };
    const changed = { ...policy, resolution: { minutes: 30 * 24 * 60, basis: "calendar" } };
    expect((await call("PUT", `/admin/sla/policies/${id}`, admin, changed)).statusCode).toBe(200);
    expect((await call("DELETE", `/admin/sla/policies/${id}`, admin)).statusCode).toBe(200);
    const entries = await listAudit(s.ctx.db, { subjectType: "sla", subjectId: `policy:${id}` });
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ["sla.policy_delete", admin.id],
      ["sla.policy_update", admin.id],
      ["sla.policy_create", admin.id],
    ]);
    expect(entries[1]!.details).toMatchObject({ resolution: { minutes: 43_200, basis: "calendar" } });

    const rules = (await call("GET", "/admin/sla/rules", admin)).json() as Record<string, unknown>[];
    const ladder = rules.map(({ trigger, afterMinutes, action }) => ({ trigger, afterMinutes, action }));
    expect((await call("PUT", "/admin/sla/rules", admin, ladder)).statusCode).toBe(200);
    const [rulesEntry] = await listAudit(s.ctx.db, { subjectType: "sla", subjectId: "rules" });
    expect(rulesEntry).toMatchObject({ action: "sla.rules_replace", actorId: admin.id });
  });
});

describe("the chat's hours", () => {
  it("are changed by an administrator only, with an audit entry", async () => {
    const hours = { days: "working", from: "08:00", to: "20:00" };
    expect((await call("PUT", "/admin/chat/hours", supervisor, hours)).statusCode).toBe(403);
    expect((await call("GET", "/admin/chat/hours", supervisor)).statusCode).toBe(200);
    const res = await call("PUT", "/admin/chat/hours", admin, hours);
    expect(res.statusCode, res.body).toBe(200);
    const [entry] = await listAudit(s.ctx.db, { subjectType: "setting", subjectId: "chat.hours" });
    expect(entry).toMatchObject({ action: "chat.hours_update", actorId: admin.id, details: hours });
  });
});

describe("an invitation with password sign-in off", () => {
  it("gives no link: the employee signs in through single sign-on", async () => {
    const config = { ...s.ctx.config, passwordLogin: "off" as const };
    const made = await inviteUser(
      s.ctx.db,
      config,
      { email: "sso.only@otklik.test", name: "Единый Вход", role: "operator" },
      { userId: admin.id },
    );
    expect(made.link).toBeNull();
    expect((await call("POST", `/admin/users/${made.account.id}/password-reset`, admin)).statusCode).toBe(200);
    await expect(resetPassword(s.ctx.db, config, made.account.id, { userId: admin.id })).rejects.toMatchObject({
      code: "password_login_disabled",
    });
  });
});
