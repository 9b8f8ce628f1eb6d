// HTTP for the SLA: policies and escalation rules (administrators), the on-shift flag, staff notifications,
// and the hand-taken actions on a request (return to the first line, ask the applicant, re-check date).

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { emit } from "../db/outbox.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Id, IdParams } from "../http/schemas.ts";
import { type FeedFactory, openFeedStream } from "../http/sse.ts";
import { isCategoryCode } from "../requests/categories.ts";
import { getRequestForStaff, loadRequestRow, requestNumbers } from "../requests/queries.ts";
import { NumberParams, Ok, Problem, StringEnum } from "../requests/schemas.ts";
import { distributeQueue } from "./assign.ts";
import { askApplicant, returnToFirstLine, setRecheck } from "./manual.ts";
import { markRead, NOTIFICATION_TOPIC, unreadCount } from "./notify.ts";
import { PRIORITIES } from "./sla-clock.ts";
import { escalationRules, slaPolicies, staffNotifications, staffShifts } from "./sla-schema.ts";
import { loadSla, policyOf, readPolicies, readRules, SLA_CHANGED } from "./sla-service.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;
const BASIS = StringEnum(["calendar", "working"] as const);
const CHANNELS = ["web", "email", "chat", "phone"] as const;

const TargetSchema = Type.Object({ minutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 366 }), basis: BASIS });
const PolicyBody = Type.Object(
  {
    channel: Type.Union([Type.Null(), StringEnum(CHANNELS)]),
    category: Type.Union([Type.Null(), Type.String({ maxLength: 40 })]),
    priority: Type.Union([Type.Null(), StringEnum(PRIORITIES)]),
    firstResponse: TargetSchema,
    resolution: TargetSchema,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const PolicyView = Type.Object({
  id: Type.Integer(),
  channel: Type.Union([Type.Null(), Type.String()]),
  category: Type.Union([Type.Null(), Type.String()]),
  priority: Type.Union([Type.Null(), Type.String()]),
  firstResponse: TargetSchema,
  resolution: TargetSchema,
});
const RuleSchema = Type.Object(
  {
    trigger: StringEnum(["first_response", "resolution"] as const),
    afterMinutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 366 }),
    action: StringEnum(["notify_assignee", "notify_supervisors", "raise_priority", "move_up"] as const),
  },
  { additionalProperties: false },
);

type PolicyInput = {
  channel: string | null;
  category: string | null;
  priority: string | null;
  firstResponse: { minutes: number; basis: "calendar" | "working" };
  resolution: { minutes: number; basis: "calendar" | "working" };
  note?: string;
};

function policyValues(b: PolicyInput) {
  if (b.category !== null && !isCategoryCode(b.category)) {
    throw errors.validation(`Неизвестная категория «${b.category}».`, { field: "category" });
  }
  return {
    channel: b.channel,
    category: b.category,
    priority: b.priority,
    firstResponseMinutes: b.firstResponse.minutes,
    firstResponseBasis: b.firstResponse.basis,
    resolutionMinutes: b.resolution.minutes,
    resolutionBasis: b.resolution.basis,
    note: b.note ?? "",
  };
}

function duplicate(e: unknown): boolean {
  for (let c = e as { code?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c.code === "23505") return true;
  }
  return false;
}

export async function slaRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const changed = async () => {
    await ctx.db.transaction((tx) => emit(tx, SLA_CHANGED, {}));
    await loadSla(ctx);
  };

  app.get(
    "/admin/sla/policies",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Политики SLA: сроки первого ответа и решения",
        tags: ["admin"],
        response: { 200: Type.Array(PolicyView) },
      },
    },
    async () => readPolicies(ctx.db),
  );

  app.post(
    "/admin/sla/policies",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Добавить политику SLA для канала, категории или приоритета",
        tags: ["admin"],
        body: PolicyBody,
        response: { 201: Type.Object({ id: Type.Integer() }), 400: Problem, 409: Problem },
      },
    },
    async (req, reply) => {
      try {
        const [row] = await ctx.db
          .insert(slaPolicies)
          .values({ ...policyValues(req.body as PolicyInput), updatedBy: staffOf(req).id })
          .returning({ id: slaPolicies.id });
        await changed();
        return reply.code(201).send({ id: row!.id });
      } catch (e) {
        if (duplicate(e))
          throw errors.conflict("policy_exists", "Политика для такого сочетания уже есть: измените её.");
        throw e;
      }
    },
  );

  app.put(
    "/admin/sla/policies/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Изменить политику SLA",
        tags: ["admin"],
        params: IdParams,
        body: PolicyBody,
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      try {
        const rows = await ctx.db
          .update(slaPolicies)
          .set({ ...policyValues(req.body as PolicyInput), updatedBy: staffOf(req).id, updatedAt: new Date() })
          .where(eq(slaPolicies.id, id))
          .returning({ id: slaPolicies.id });
        if (rows.length === 0) throw errors.notFound("Политика");
      } catch (e) {
        if (duplicate(e)) throw errors.conflict("policy_exists", "Политика для такого сочетания уже есть.");
        throw e;
      }
      await changed();
      return { ok: true as const };
    },
  );

  app.delete(
    "/admin/sla/policies/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Удалить политику SLA",
        tags: ["admin"],
        params: IdParams,
        response: { 200: Ok, 404: Problem },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const rows = await ctx.db.delete(slaPolicies).where(eq(slaPolicies.id, id)).returning({ id: slaPolicies.id });
      if (rows.length === 0) throw errors.notFound("Политика");
      await changed();
      return { ok: true as const };
    },
  );

  app.get(
    "/admin/sla/rules",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Правила автоматической эскалации",
        tags: ["admin"],
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), ...RuleSchema.properties })) },
      },
    },
    async () => readRules(ctx.db),
  );

  app.put(
    "/admin/sla/rules",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Заменить правила автоматической эскалации",
        description: "Уровни уже пройденных обращений сохраняются: новые шаги сработают по порядку.",
        tags: ["admin"],
        body: Type.Array(RuleSchema, { maxItems: 50 }),
        response: { 200: Ok, 400: Problem },
      },
    },
    async (req) => {
      const rules = req.body as { trigger: "first_response" | "resolution"; afterMinutes: number; action: never }[];
      await ctx.db.transaction(async (tx) => {
        await tx.delete(escalationRules);
        if (rules.length) await tx.insert(escalationRules).values(rules);
      });
      await changed();
      return { ok: true as const };
    },
  );

  const ShiftView = Type.Object({ onShift: Type.Boolean() });
  app.get(
    "/staff/me/shift",
    {
      config: { access: WORKERS },
      schema: { summary: "На смене ли я (получаю ли новые обращения)", tags: ["staff"], response: { 200: ShiftView } },
    },
    async (req) => {
      const [row] = await ctx.db
        .select()
        .from(staffShifts)
        .where(eq(staffShifts.userId, staffOf(req).id));
      return { onShift: row?.onShift ?? false };
    },
  );

  app.put(
    "/staff/me/shift",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Выйти на смену или уйти со смены",
        tags: ["staff"],
        description: "Выход на смену раздаёт очередь подразделения тем, кто на смене (меньше всего в работе — первым).",
        body: Type.Object({ onShift: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ onShift: Type.Boolean(), assigned: Type.Integer() }) },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const { onShift } = req.body as { onShift: boolean };
      const now = new Date();
      const assigned = await ctx.db.transaction(async (tx) => {
        await tx
          .insert(staffShifts)
          .values({ userId: user.id, onShift, changedAt: now })
          .onConflictDoUpdate({ target: staffShifts.userId, set: { onShift, changedAt: now } });
        return onShift && user.departmentId !== null ? distributeQueue(ctx, tx, user.departmentId, now) : 0;
      });
      return { onShift, assigned };
    },
  );

  app.get(
    "/notifications",
    {
      config: { access: "staff" },
      schema: {
        summary: "Мои уведомления: эскалации по SLA и контрольные сроки",
        tags: ["staff"],
        querystring: Type.Object({ unread: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({
            unread: Type.Integer(),
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                kind: Type.String(),
                title: Type.String(),
                number: Type.Union([Type.Null(), Type.String()]),
                createdAt: Type.String({ format: "date-time" }),
                read: Type.Boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const { unread } = req.query as { unread?: boolean };
      const rows = await ctx.db
        .select()
        .from(staffNotifications)
        .where(and(eq(staffNotifications.userId, user.id), unread ? isNull(staffNotifications.readAt) : undefined))
        .orderBy(desc(staffNotifications.id))
        .limit(50);
      const numbers = await numbersOf(
        ctx,
        rows.map((r) => r.requestId),
      );
      return {
        unread: await unreadCount(ctx.db, user.id),
        items: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          title: r.title,
          number: r.requestId ? (numbers.get(r.requestId) ?? null) : null,
          createdAt: r.createdAt.toISOString(),
          read: r.readAt !== null,
        })),
      };
    },
  );

  app.post(
    "/notifications/read",
    {
      config: { access: "staff" },
      schema: {
        summary: "Отметить уведомления прочитанными (все, если ids не даны)",
        tags: ["staff"],
        body: Type.Object({ ids: Type.Optional(Type.Array(Id(), { maxItems: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ unread: Type.Integer() }) },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const { ids } = req.body as { ids?: number[] };
      await markRead(ctx.db, user.id, ids ?? "all");
      return { unread: await unreadCount(ctx.db, user.id) };
    },
  );

  app.get(
    "/notifications/events",
    {
      config: { access: "staff" },
      schema: { summary: "Поток новых уведомлений для значка в консоли (Server-Sent Events)", tags: ["staff"] },
    },
    async (req, reply) => openFeedStream(ctx, req, reply, notificationsFeed(staffOf(req))),
  );

  app.get(
    "/requests/:number/sla",
    {
      config: { access: "staff" },
      schema: {
        summary: "Часы SLA обращения: политика, сроки, пауза, пройденные шаги эскалации, контрольный срок",
        tags: ["requests"],
        params: NumberParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: Problem },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const { number } = req.params as { number: string };
      await getRequestForStaff(ctx.db, user, number);
      const row = await loadRequestRow(ctx.db, number);
      const policy = policyOf(ctx, { channel: row.channel, category: row.category, priority: row.priority });
      return {
        policy,
        firstResponseDueAt: row.firstResponseDueAt,
        resolutionDueAt: row.resolutionDueAt,
        firstRespondedAt: row.firstRespondedAt,
        pausedSince: row.slaPausedAt,
        pausedMinutes: row.slaPausedMinutes,
        pausedWorkingMinutes: row.slaPausedWorkingMinutes,
        firstResponseLevel: row.slaFirstLevel,
        resolutionLevel: row.slaResolutionLevel,
        recheckAt: row.recheckAt,
      };
    },
  );

  app.post(
    "/requests/:number/return",
    {
      config: { access: ["specialist", "supervisor", "administrator"] },
      schema: {
        summary: "Вернуть обращение на первую линию с причиной",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await returnToFirstLine(
        ctx,
        staffOf(req),
        (req.params as { number: string }).number,
        (req.body as { reason: string }).reason,
      );
      return { ok: true as const };
    },
  );

  app.post(
    "/requests/:number/ask",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Запросить у заявителя недостающее: сообщение и статус «ожидает ответа» (часы SLA стоят)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { question: Type.String({ minLength: 1, maxLength: 20000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await askApplicant(
        ctx,
        staffOf(req),
        (req.params as { number: string }).number,
        (req.body as { question: string }).question,
      );
      return { ok: true as const };
    },
  );

  app.put(
    "/requests/:number/recheck",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Контрольный срок повторной проверки (null — снять)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { date: Type.Union([Type.Null(), Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" })]) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await setRecheck(
        ctx,
        staffOf(req),
        (req.params as { number: string }).number,
        (req.body as { date: string | null }).date,
      );
      return { ok: true as const };
    },
  );
}

async function numbersOf(ctx: AppContext, ids: (number | null)[]) {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  if (wanted.length === 0) return new Map<number, string>();
  return requestNumbers(ctx.db, wanted);
}

/** The console's feed of one's own notifications (for the bell). */
export const notificationsFeed = ((user) => (e) =>
  e.topic === NOTIFICATION_TOPIC && e.data.userId === user.id
    ? { id: e.data.notificationId }
    : null) satisfies FeedFactory;
