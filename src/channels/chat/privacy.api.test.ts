// A chat shows the applicant to staff as a request does: contacts masked until revealed with a reason, every
// opening and reveal in the audit log, and the applicant's earlier requests only within the employee's scope.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { auditLog } from "../../audit/db-schema.ts";
import { applicantSend } from "./applicant.ts";
import { configureChat } from "./settings.ts";

let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer();
  configureChat(s.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
  operator = await s.staff("operator", { department: "first_line" });
  supervisor = await s.staff("supervisor");
});
afterAll(() => s?.close());

const get = (who: { authorization: string }, url: string) =>
  s.app.inject({ method: "GET", url: `/api/v1${url}`, headers: { authorization: who.authorization } });
const post = (who: { authorization: string }, url: string, payload: object) =>
  s.app.inject({ method: "POST", url: `/api/v1${url}`, headers: { authorization: who.authorization }, payload });

/** A chat waiting in the first line's queue, its request registered by the applicant's first message. */
async function queuedChat(contact: { name: string; email?: string; phone?: string }) {
  const r = await s.app.inject({ method: "POST", url: "/api/v1/chat/sessions", payload: { contact } });
  expect(r.statusCode).toBe(201);
  const { conversationId } = r.json() as { conversationId: number };
  await applicantSend(s.ctx, conversationId, { clientId: randomUUID(), text: "Не могу войти в личный кабинет" });
  await applicantSend(s.ctx, conversationId, { clientId: randomUUID(), text: "", action: "operator" });
  return conversationId;
}

async function earlierRequest(email: string, category: string) {
  const r = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: `Прежний вопрос о ${category}`, category, contact: { email } },
  });
  expect(r.statusCode).toBe(201);
  return r.json().number as string;
}

const auditOf = (action: string, conversationId: number) =>
  s.ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, action),
        eq(auditLog.subjectType, "chat"),
        eq(auditLog.subjectId, String(conversationId)),
      ),
    );

describe("chat conversation: personal data", () => {
  it("shows contacts masked by default and records the opening", async () => {
    const id = await queuedChat({ name: "Анна", email: "anna.masked@example.ru", phone: "+7 912 345-67-89" });
    const r = await get(operator, `/chat/conversations/${id}`);
    expect(r.statusCode).toBe(200);
    expect(r.json().contact).toEqual({ name: "Анна", email: "a•••@example.ru", phone: "+7•••••6789" });
    expect(r.body).not.toContain("anna.masked@");
    expect(r.body).not.toContain("9123456789");
    const opened = await auditOf("chat.view", id);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ actorId: operator.id, reason: null });
    expect(opened[0]!.details).toMatchObject({ request: r.json().request.number });
  });

  it("reveals contacts only with a reason, and the reveal is audited: who, which conversation, why", async () => {
    const id = await queuedChat({ name: "Борис", email: "boris.reveal@example.ru", phone: "+7 912 000-11-22" });
    const noReason = await post(operator, `/chat/conversations/${id}/reveal`, { reason: "" });
    expect(noReason.statusCode).toBe(400);
    const blank = await post(operator, `/chat/conversations/${id}/reveal`, { reason: "    " });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().detail).toMatch(/причина/);
    expect(await auditOf("contact.reveal", id)).toHaveLength(0);
    const r = await post(operator, `/chat/conversations/${id}/reveal`, { reason: "Перезвонить заявителю" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ name: "Борис", email: "boris.reveal@example.ru", phone: "+79120001122" });
    const revealed = await auditOf("contact.reveal", id);
    expect(revealed).toHaveLength(1);
    expect(revealed[0]).toMatchObject({ actorId: operator.id, reason: "Перезвонить заявителю" });
    // Someone who may not open the chat may not reveal it either: a specialist of another department.
    const other = await s.staff("specialist", { department: "e_signature" });
    expect((await post(other, `/chat/conversations/${id}/reveal`, { reason: "Любопытство" })).statusCode).toBe(404);
    expect(await auditOf("contact.reveal", id)).toHaveLength(1);
  });

  it("lists earlier requests within the employee's scope: a first-line operator does not see another department's", async () => {
    const email = "vera.scope@example.ru";
    const firstLine = await earlierRequest(email, "information");
    const technical = await earlierRequest(email, "technical");
    const id = await queuedChat({ name: "Вера", email });
    const numbers = async (who: { authorization: string }) =>
      ((await get(who, `/chat/conversations/${id}`)).json().previous as { number: string }[]).map((p) => p.number);
    const seenByOperator = await numbers(operator);
    expect(seenByOperator).toContain(firstLine);
    expect(seenByOperator).not.toContain(technical);
    // The request outside the operator's scope is not there at all: the same 404 as opening it directly.
    expect((await get(operator, `/requests/${technical}`)).statusCode).toBe(404);
    expect((await numbers(supervisor)).sort()).toEqual([firstLine, technical].sort());
  });
});
