// The chat's hours as an administrator set them, kept in the server's settings table and read on every use (a change
// reaches every process at once); routes to read and change them.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import type { Queryable } from "../../db/client.ts";
import { settings } from "../../db/schema.ts";
import { directoryOf } from "../../directory/state.ts";
import { staffOf } from "../../http/access.ts";
import { errors } from "../../http/errors.ts";
import { Problem, StringEnum } from "../../http/schemas.ts";
import {
  type ChatHours,
  type ChatHoursSetting,
  chatHours,
  checkChatHours,
  DEFAULT_CHAT_HOURS,
  hoursText,
} from "./hours.ts";
import { chatSettings } from "./settings.ts";

const KEY = "chat.hours";

export async function chatHoursSetting(db: Queryable): Promise<ChatHoursSetting> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY));
  if (!row) return DEFAULT_CHAT_HOURS;
  try {
    const s = JSON.parse(row.value) as ChatHoursSetting;
    return (s.days === "working" || s.days === "all") && !checkChatHours(s) ? s : DEFAULT_CHAT_HOURS;
  } catch {
    return DEFAULT_CHAT_HOURS;
  }
}

/** Open now or not, and when operators are back, by the stored setting and the directory's calendar. */
export async function currentChatHours(ctx: AppContext, at = chatSettings(ctx).now()): Promise<ChatHours> {
  return chatHours(directoryOf(ctx).calendar, at, await chatHoursSetting(ctx.db));
}

const Time = Type.String({
  pattern: "^([01]?\\d|2[0-3]):[0-5]\\d$|^24:00$",
  description: "ЧЧ:ММ по московскому времени",
});
const SettingBody = Type.Object(
  {
    days: StringEnum(["working", "all"] as const, {
      description: "working — рабочие дни производственного календаря, all — ежедневно",
    }),
    from: Time,
    to: Time,
  },
  { additionalProperties: false },
);
const SettingView = Type.Object({ days: Type.String(), from: Type.String(), to: Type.String(), text: Type.String() });

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
const view = (s: ChatHoursSetting) => ({ days: s.days, from: hhmm(s.from), to: hhmm(s.to), text: hoursText(s) });

export async function chatHoursRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/admin/chat/hours",
    {
      config: { access: ["administrator", "supervisor"] },
      schema: {
        summary: "Часы работы операторов чата",
        tags: ["chat", "admin"],
        response: { 200: SettingView },
      },
    },
    async () => view(await chatHoursSetting(ctx.db)),
  );

  app.put(
    "/admin/chat/hours",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Изменить часы работы операторов чата",
        description:
          "Вне этих часов бот предлагает оставить обращение и говорит, когда операторы вернутся; виджет показывает то же.",
        tags: ["chat", "admin"],
        body: SettingBody,
        response: { 200: SettingView, 400: Problem },
      },
    },
    async (req) => {
      const body = req.body;
      const s: ChatHoursSetting = { days: body.days, from: minutes(body.from), to: minutes(body.to) };
      const problem = checkChatHours(s);
      if (problem) throw errors.validation(problem, { field: s.to <= s.from ? "to" : "from" });
      const value = JSON.stringify(s);
      await ctx.db.transaction(async (tx) => {
        await tx
          .insert(settings)
          .values({ key: KEY, value })
          .onConflictDoUpdate({ target: settings.key, set: { value } });
        await audit(tx, {
          actorId: staffOf(req).id,
          action: "chat.hours_update",
          subjectType: "setting",
          subjectId: KEY,
          details: { days: body.days, from: body.from, to: body.to },
        });
      });
      return view(s);
    },
  );
}
