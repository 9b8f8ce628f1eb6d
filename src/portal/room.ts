// The portal room: the connector to the portal (built-in registry by default, a real portal over HTTP when
// OTKLIK_PORTAL_URL is set) and the operator's actions through it.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { desc } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { Problem, StringEnum } from "../http/schemas.ts";
import type { Room } from "../room.ts";
import { BuiltinPortal } from "./builtin.ts";
import { APPLICATION_STATUSES, type PortalConnector } from "./connector.ts";
import { portalAudit } from "./db-schema.ts";
import { HttpPortal } from "./http-connector.ts";
import { importRegistry, seedRegistryIfEmpty } from "./registry-data.ts";
import { OnCall, PortalAccountView } from "./schemas.ts";
import * as portal from "./service.ts";

declare module "../room.ts" {
  interface Services {
    /** The connector to the portal: the built-in registry, or a real portal over HTTP. */
    portal: PortalConnector;
  }
}

export function portalOf(ctx: AppContext): PortalConnector {
  return ctx.services.get("portal");
}

const Account = PortalAccountView;
const AccountParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const errorsOf = { 400: Problem, 403: Problem, 404: Problem, 502: Problem };

const ImportBody = Type.Object(
  {
    accounts: Type.Optional(
      Type.Array(
        Type.Object({
          id: Type.String({ minLength: 1, maxLength: 100 }),
          fullName: Type.String({ minLength: 1, maxLength: 300 }),
          phone: Type.Optional(Type.String({ maxLength: 40 })),
          snils: Type.Optional(Type.String({ maxLength: 20 })),
          locked: Type.Optional(Type.Boolean()),
        }),
        { maxItems: 100_000 },
      ),
    ),
    applications: Type.Optional(
      Type.Array(
        Type.Object({
          number: Type.String({ minLength: 1, maxLength: 40 }),
          accountId: Type.Optional(Type.String({ maxLength: 100 })),
          service: Type.String({ minLength: 1, maxLength: 300 }),
          status: StringEnum(APPLICATION_STATUSES),
          submittedAt: Type.String({ format: "date-time" }),
        }),
        { maxItems: 100_000 },
      ),
    ),
  },
  { additionalProperties: false },
);

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ["portal"];

  app.post(
    "/portal/accounts/find",
    {
      config: { access: "staff" },
      schema: {
        summary: "Найти учётную запись на портале по телефону или СНИЛС (после проверки личности)",
        tags,
        body: Type.Object(
          {
            phone: Type.Optional(Type.String({ maxLength: 40 })),
            snils: Type.Optional(Type.String({ maxLength: 20 })),
            ...OnCall,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ account: Type.Union([Account, Type.Null()]) }), ...errorsOf },
      },
    },
    async (req) => {
      const { phone, snils, callId } = req.body;
      const a = await portal.findAccount(ctx, portalOf(ctx), staffOf(req), { phone, snils }, callId);
      return { account: a ? portal.showAccount(a) : null };
    },
  );

  app.post(
    "/portal/applications/status",
    {
      config: { access: "staff" },
      schema: {
        summary: "Статус заявления на портале по его номеру (после проверки личности)",
        tags,
        body: Type.Object(
          { number: Type.String({ minLength: 1, maxLength: 40 }), ...OnCall },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            number: Type.String(),
            service: Type.String(),
            status: StringEnum(APPLICATION_STATUSES),
            statusTitle: Type.String(),
            submittedAt: Type.String(),
          }),
          ...errorsOf,
        },
      },
    },
    async (req) => {
      const { number, callId } = req.body;
      return portal.applicationStatus(ctx, portalOf(ctx), staffOf(req), number.trim(), callId);
    },
  );

  const WhereBody = Type.Object(OnCall, { additionalProperties: false });
  app.post(
    "/portal/accounts/:id/confirmation-code",
    {
      config: { access: "staff" },
      schema: {
        summary: "Повторно отправить код подтверждения на телефон учётной записи",
        tags,
        params: AccountParams,
        body: WhereBody,
        response: { 200: Type.Object({ sent: Type.Boolean() }), ...errorsOf },
      },
    },
    async (req) => {
      await portal.resendCode(ctx, portalOf(ctx), staffOf(req), req.params.id, req.body.callId);
      return { sent: true };
    },
  );

  app.post(
    "/portal/accounts/:id/unlock",
    {
      config: { access: "staff" },
      schema: {
        summary: "Разблокировать учётную запись на портале",
        tags,
        params: AccountParams,
        body: WhereBody,
        response: { 200: Type.Object({ wasLocked: Type.Boolean() }), ...errorsOf },
      },
    },
    async (req) => portal.unlockAccount(ctx, portalOf(ctx), staffOf(req), req.params.id, req.body.callId),
  );

  app.put(
    "/portal/accounts/:id/phone",
    {
      config: { access: "staff" },
      schema: {
        summary: "Сменить телефон учётной записи (только после проверки личности)",
        tags,
        params: AccountParams,
        body: Type.Object(
          { phone: Type.String({ minLength: 5, maxLength: 40 }), ...OnCall },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ changed: Type.Boolean() }), ...errorsOf },
      },
    },
    async (req) => {
      const { phone, callId } = req.body;
      return portal.changePhone(ctx, portalOf(ctx), staffOf(req), req.params.id, phone, callId);
    },
  );

  app.get(
    "/portal/audit",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Журнал обращений к порталу: кто, когда, что и по какому обращению",
        tags,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              userId: Type.Union([Type.Integer(), Type.Null()]),
              action: Type.String(),
              connector: Type.String(),
              requestId: Type.Union([Type.Integer(), Type.Null()]),
              callId: Type.Union([Type.Integer(), Type.Null()]),
              target: Type.Union([Type.String(), Type.Null()]),
              outcome: Type.String(),
              createdAt: Type.String(),
            }),
          ),
        },
      },
    },
    async (req) => {
      const rows = await ctx.db
        .select()
        .from(portalAudit)
        .orderBy(desc(portalAudit.id))
        .limit(req.query.limit ?? 100);
      return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
    },
  );

  app.post(
    "/admin/portal/import",
    {
      config: { access: ["administrator"] },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        summary: "Загрузить учётные записи и заявления во встроенный реестр портала",
        description:
          "Записи с теми же id и номерами заменяются. Телефоны приводятся к E.164, СНИЛС проверяется по контрольному числу.",
        tags: ["admin"],
        body: ImportBody,
        response: { 200: Type.Object({ accounts: Type.Integer(), applications: Type.Integer() }), 400: Problem },
      },
    },
    async (req) => importRegistry(ctx.db, req.body),
  );
}

export const portalRoom: Room = {
  name: "portal",
  provides: ["portal"],
  async start(ctx) {
    const { portalUrl, portalToken } = ctx.config;
    ctx.services.provide("portal", portalUrl ? new HttpPortal(portalUrl, portalToken) : new BuiltinPortal(ctx.db));
    if (!portalUrl) await seedRegistryIfEmpty(ctx.db);
  },
  routes,
};
