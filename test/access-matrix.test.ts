// Tries every cell of the access table in docs/SECURITY.md through the HTTP API.
import { readFileSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../src/db/outbox.ts";
import { users as accounts, type Role } from "../src/staff/schema.ts";
import { createTestServer, type TestServer } from "./harness.ts";

const ROLES: Role[] = ["operator", "specialist", "supervisor", "administrator"];
type Row = { action: string; method: string; path: string; cells: Record<Role, string[]> };

function readMatrix(): Row[] {
  const doc = readFileSync(new URL("../docs/SECURITY.md", import.meta.url), "utf8");
  const block = doc.split("<!-- access-matrix:start -->")[1]!.split("<!-- access-matrix:end -->")[0]!;
  return block
    .split("\n")
    .filter((l) => l.startsWith("|") && !l.startsWith("| action") && !l.startsWith("|---"))
    .map((l) => {
      const [action, method, path, ...cells] = l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
      return {
        action: action!,
        method: method!,
        path: path!,
        cells: Object.fromEntries(ROLES.map((r, i) => [r, cells[i]!.split(",").map((c) => c.trim())])) as Record<
          Role,
          string[]
        >,
      };
    });
}

const matrix = readMatrix();
let s: TestServer;
const users = {} as Record<Role, { authorization: string; id: number }>;
let admin: { authorization: string };

beforeAll(async () => {
  s = await createTestServer();
  users.operator = await s.staff("operator", { department: "first_line" });
  users.specialist = await s.staff("specialist", { department: "e_signature" });
  users.supervisor = await s.staff("supervisor");
  users.administrator = await s.staff("administrator");
  admin = await s.staff("administrator");
});
afterAll(() => s?.close());

type Scope = "first-line" | "department" | "own" | "other";

// A fresh request in the given scope of the given employee.
async function requestIn(scope: Scope, role: Role): Promise<string> {
  const category =
    scope === "first-line"
      ? "information"
      : scope === "department" && role === "specialist"
        ? "e_signature"
        : scope === "department"
          ? "information"
          : "technical";
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: "Проверка доступа", category },
  });
  const number = res.json().number as string;
  if (scope === "own") {
    const a = await s.app.inject({
      method: "PATCH",
      url: `/api/v1/requests/${number}`,
      headers: admin,
      payload: { assigneeId: users[role].id },
    });
    expect(a.statusCode).toBe(200);
  }
  return number;
}

// Rows about one staff account or token: a fresh one for each call, so that an allowed call has something to act on.
const targets: Record<string, () => Promise<string>> = {
  "/api/v1/admin/users/:id": async () => `/api/v1/admin/users/${(await s.staff("operator")).id}`,
  "/api/v1/admin/users/:id/password-reset": async () =>
    `/api/v1/admin/users/${(await s.staff("operator")).id}/password-reset`,
  "/api/v1/admin/users/:id/totp": async () => {
    const who = await s.staff("operator");
    await s.ctx.db.update(accounts).set({ totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DP" }).where(eq(accounts.id, who.id));
    return `/api/v1/admin/users/${who.id}/totp`;
  },
  "/api/v1/admin/departments/:id": async () => "/api/v1/admin/departments/1",
  "/api/v1/admin/tokens/:id": async () => {
    const who = await s.staff("operator");
    const mine = await s.app.inject({
      method: "GET",
      url: "/api/v1/tokens",
      headers: { authorization: who.authorization },
    });
    return `/api/v1/admin/tokens/${mine.json()[0].id}`;
  },
};

// Bodies and paths that name a second request or a message: one the employee surely may act on (their own), so that
// what is tried is the access to the request in the row's scope.
const withOther: Record<string, (number: string, role: Role) => Promise<object>> = {
  "/api/v1/requests/:number/merge": async (_n, role) => ({ into: await requestIn("own", role) }),
  "/api/v1/requests/:number/links": async (_n, role) => ({ number: await requestIn("own", role) }),
  "/api/v1/requests/:number/split": async (number) => {
    const [m] = rowsOf<{ id: string }>(
      await s.ctx.db.execute(
        sql`select m.id from messages m join requests r on r.id = m.request_id where r.number = ${number} limit 1`,
      ),
    );
    return { messageId: Number(m!.id) };
  },
};

async function call(row: Row, number: string | null, role: Role) {
  const target = targets[row.path];
  let path = target ? await target() : row.path.replace("#note", "").replace(":number", number ?? "");
  if (path.includes(":other")) path = path.replace(":other", await requestIn("own", role));
  const headers = { authorization: users[role].authorization };
  const payloads: Record<string, unknown> = {
    "/api/v1/requests/:number/messages": { body: "Ответ", visibility: "public" },
    "/api/v1/requests/:number/messages#note": { body: "Заметка", visibility: "note" },
    "/api/v1/requests/:number/status": { status: "in_progress" },
    "/api/v1/requests/:number": { priority: "high" },
    "/api/v1/requests/:number/escalate": { department: "applications", reason: "Проверка доступа" },
    "/api/v1/requests/:number/reveal": { reason: "Проверка доступа" },
    "/api/v1/requests/views": { name: "Проверка доступа", filters: { overdue: "1" } },
    "/api/v1/requests/bulk": { numbers: ["100001"], action: { type: "priority", priority: "high" } },
    "/api/v1/admin/users/:id": { active: false },
    "/api/v1/admin/departments/:id": { hours: { from: "09:00", to: "18:00" } },
    "/api/v1/admin/users/invite": {
      email: `invited-${Math.random().toString(36).slice(2)}@otklik.test`,
      name: "Приглашённый",
      role: "operator",
    },
    "/api/v1/admin/users": {
      email: `new-${Math.random().toString(36).slice(2)}@otklik.test`,
      name: "Новый",
      role: "operator",
      password: "new-password-1",
    },
  };
  const other = withOther[row.path];
  const payload =
    row.method === "GET" || row.method === "DELETE"
      ? undefined
      : other && number
        ? await other(number, role)
        : (payloads[row.path] as object);
  return s.app.inject({ method: row.method as "GET", url: path, headers, payload });
}

describe("access matrix of docs/SECURITY.md", () => {
  it("is there and covers the request actions", () => {
    expect(matrix.length).toBeGreaterThanOrEqual(10);
    expect(matrix.some((r) => r.path.includes(":number"))).toBe(true);
  });

  for (const row of matrix) {
    for (const role of ROLES) {
      const cell = row.cells[role];
      if (row.path.includes(":number")) {
        const scopes: Scope[] = [
          "first-line",
          "own",
          "other",
          ...(role === "specialist" ? (["department"] as Scope[]) : []),
        ];
        for (const scope of scopes) {
          const allowed = cell.includes("all") || cell.includes(scope);
          it(`${role} ${allowed ? "may" : "may not"} ${row.action} (${scope})`, async () => {
            const number = await requestIn(scope, role);
            const res = await call(row, number, role);
            if (allowed) expect([200, 201, 204, 409], res.body).toContain(res.statusCode);
            else expect([403, 404], res.body).toContain(res.statusCode);
          });
        }
      } else {
        const allowed = cell.includes("yes");
        it(`${role} ${allowed ? "may" : "may not"} ${row.action}`, async () => {
          const res = await call(row, null, role);
          if (allowed) expect([200, 201, 204], res.body).toContain(res.statusCode);
          else expect(res.statusCode, res.body).toBe(403);
        });
      }
    }
  }
});
