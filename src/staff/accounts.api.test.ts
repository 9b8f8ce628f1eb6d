// API tokens with a name and their times, listed and revoked by their owner or an administrator; employees
// deactivated (sessions and tokens stop at the next request, no sign-in, out of assignment) and reactivated, their
// name kept in the history. Every change is in the audit log.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";

let s: TestServer;
let admin: Awaited<ReturnType<TestServer["staff"]>>;
beforeAll(async () => {
  s = await createTestServer();
  admin = await s.staff("administrator");
});
afterAll(() => s?.close());

let ip = 0;
async function signIn(email: string, password = "staff-password-1") {
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress: `10.7.0.${++ip}`,
    payload: { email, password },
  });
  if (res.statusCode !== 200) return { status: res.statusCode, code: res.json().code as string };
  const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
  return { status: 200, headers: { cookie, "x-csrf-token": res.json().csrfToken as string } };
}

type Headers = Record<string, string>;
const call = (method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH", url: string, headers: Headers, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

async function auditActions(subjectType: string, subjectId: string) {
  const res = await call("GET", `/admin/audit?subjectType=${subjectType}&subjectId=${subjectId}`, {
    authorization: admin.authorization,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { action: string; actorId: number | null }[]).map((e) => e.action);
}

describe("API tokens", () => {
  it("are created with a name, listed with their times, and stop at once when revoked", async () => {
    const op = await s.staff("operator");
    const session = (await signIn(op.email)).headers!;
    const made = await call("POST", "/tokens", session, { name: "Выгрузка в 1С" });
    expect(made.statusCode, made.body).toBe(201);
    const { id, token, prefix } = made.json() as { id: number; token: string; prefix: string };
    expect(token.startsWith(prefix)).toBe(true);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await call("GET", "/auth/me", bearer)).statusCode).toBe(200);

    const listed = (await call("GET", "/tokens", session)).json() as Record<string, unknown>[];
    const mine = listed.find((t) => t.id === id)!;
    expect(mine).toMatchObject({ name: "Выгрузка в 1С", prefix, revokedAt: null });
    expect(Date.parse(String(mine.createdAt))).toBeGreaterThan(0);
    expect(Date.parse(String(mine.lastUsedAt))).toBeGreaterThan(0);
    expect(JSON.stringify(listed)).not.toContain(token);

    // A token does not mint tokens: a stolen one could otherwise outlive its own revocation.
    expect((await call("POST", "/tokens", bearer, { name: "ещё" })).statusCode).toBe(403);

    expect((await call("DELETE", `/tokens/${id}`, session)).statusCode).toBe(204);
    const after = await call("GET", "/auth/me", bearer);
    expect(after.statusCode).toBe(401);
    const revoked = ((await call("GET", "/tokens", session)).json() as Record<string, unknown>[]).find(
      (t) => t.id === id,
    );
    expect(Date.parse(String(revoked!.revokedAt))).toBeGreaterThan(0);
    expect(await auditActions("api_token", String(id))).toEqual(["token.revoke", "token.create"]);
  });

  it("an employee cannot see or revoke another's token; an administrator can", async () => {
    const a = await s.staff("operator");
    const b = await s.staff("specialist");
    const bTokens = (await call("GET", "/tokens", { authorization: b.authorization })).json() as { id: number }[];
    expect(bTokens).toHaveLength(1);
    const target = bTokens[0]!.id;
    expect(
      ((await call("GET", "/tokens", { authorization: a.authorization })).json() as { id: number }[]).map((t) => t.id),
    ).not.toContain(target);
    expect((await call("DELETE", `/tokens/${target}`, { authorization: a.authorization })).statusCode).toBe(404);
    expect((await call("GET", "/auth/me", { authorization: b.authorization })).statusCode).toBe(200);

    expect((await call("GET", "/admin/tokens", { authorization: a.authorization })).statusCode).toBe(403);
    const all = (await call("GET", "/admin/tokens", { authorization: admin.authorization })).json() as {
      id: number;
      user: { id: number; name: string };
    }[];
    expect(all.find((t) => t.id === target)?.user.id).toBe(b.id);
    expect((await call("DELETE", `/admin/tokens/${target}`, { authorization: a.authorization })).statusCode).toBe(403);
    expect((await call("DELETE", `/admin/tokens/${target}`, { authorization: admin.authorization })).statusCode).toBe(
      204,
    );
    expect((await call("GET", "/auth/me", { authorization: b.authorization })).statusCode).toBe(401);
    expect((await call("DELETE", "/admin/tokens/99999999", { authorization: admin.authorization })).statusCode).toBe(
      404,
    );
  });
});

describe("deactivating an employee", () => {
  it("stops their sessions and tokens at the next request, refuses sign-in, keeps their name; reactivation works", async () => {
    const op = await s.staff("operator", { department: "first_line" });
    const session = (await signIn(op.email)).headers!;
    const bearer = { authorization: op.authorization };
    // A request they handled: assigned to them, answered by them.
    const created = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Проверка" } });
    const number = created.json().number as string;
    expect(
      (await call("PATCH", `/requests/${number}`, { authorization: admin.authorization }, { assigneeId: op.id }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call("POST", `/requests/${number}/messages`, bearer, { body: "Ответ", visibility: "public" })).statusCode,
    ).toBe(200);

    const off = await call("PATCH", `/admin/users/${op.id}`, { authorization: admin.authorization }, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ id: op.id, active: false });
    expect((await call("GET", "/auth/me", session)).statusCode).toBe(401);
    expect((await call("GET", "/auth/me", bearer)).statusCode).toBe(401);
    expect(await signIn(op.email)).toEqual({ status: 401, code: "invalid_credentials" });

    const view = (await call("GET", `/requests/${number}`, { authorization: admin.authorization })).json();
    expect(view.assignee).toEqual({ id: op.id, name: expect.stringContaining("operator") });
    expect(view.messages.some((m: { authorName: string | null }) => m.authorName === view.assignee.name)).toBe(true);
    const staff = (await call("GET", "/staff", { authorization: admin.authorization })).json() as {
      id: number;
      active: boolean;
    }[];
    expect(staff.find((u) => u.id === op.id)).toMatchObject({ active: false });
    const users = (await call("GET", "/admin/users", { authorization: admin.authorization })).json() as {
      id: number;
      active: boolean;
    }[];
    expect(users.find((u) => u.id === op.id)).toMatchObject({ active: false });

    // Out of assignment: refused by hand.
    const other = (await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Ещё" } })).json();
    const assign = await call(
      "PATCH",
      `/requests/${other.number}`,
      { authorization: admin.authorization },
      {
        assigneeId: op.id,
      },
    );
    expect(assign.statusCode).toBe(400);

    const on = await call("PATCH", `/admin/users/${op.id}`, { authorization: admin.authorization }, { active: true });
    expect(on.json()).toMatchObject({ active: true });
    expect((await signIn(op.email)).status).toBe(200);
    // Tokens revoked by the deactivation stay revoked.
    expect((await call("GET", "/auth/me", bearer)).statusCode).toBe(401);
    expect(await auditActions("user", String(op.id))).toEqual(["user.activate", "user.deactivate"]);
    // The entries keep the chain verifiable (their details are read back as written).
    const chain = await call("GET", "/admin/audit/verify", { authorization: admin.authorization });
    expect(chain.json().brokenAt).toBeNull();
  });

  it("drops out of automatic assignment", async () => {
    const a = await s.staff("specialist", { department: "e_signature" });
    const b = await s.staff("specialist", { department: "e_signature" });
    for (const who of [a, b]) {
      const r = await call("PUT", "/staff/me/shift", { authorization: who.authorization }, { onShift: true });
      expect(r.statusCode, r.body).toBe(200);
    }
    expect(
      (await call("PATCH", `/admin/users/${a.id}`, { authorization: admin.authorization }, { active: false }))
        .statusCode,
    ).toBe(200);
    const shift = (await s.ctx.db.execute(
      sql`select on_shift from staff_shifts where user_id = ${a.id}`,
    )) as unknown as {
      rows: { on_shift: boolean }[];
    };
    expect(shift.rows[0]!.on_shift).toBe(false);
    for (let i = 0; i < 3; i++) {
      const r = await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: { text: "Не работает электронная подпись", category: "e_signature" },
      });
      const view = (await call("GET", `/requests/${r.json().number}`, { authorization: admin.authorization })).json();
      expect(view.assignee?.id).toBe(b.id);
    }
  });

  it("an administrator cannot deactivate themselves; others may not deactivate at all", async () => {
    const self = await call(
      "PATCH",
      `/admin/users/${admin.id}`,
      { authorization: admin.authorization },
      { active: false },
    );
    expect(self.statusCode).toBe(400);
    expect(self.json().code).toBe("self_deactivation");
    const sup = await s.staff("supervisor");
    expect(
      (await call("PATCH", `/admin/users/${admin.id}`, { authorization: sup.authorization }, { active: false }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call("PATCH", "/admin/users/99999999", { authorization: admin.authorization }, { active: false }))
        .statusCode,
    ).toBe(404);
  });
});
