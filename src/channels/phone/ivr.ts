// The IVR's dialogue, one step per request of the voice platform: greeting by line, hours and the lines open
// now, a topic menu into the department's queue, request and application status from the keypad, the reserve
// line or a call-back when the queue is too long. Each answer is TwiML.
import { eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { directoryOf, setOverloaded } from "../../directory/room.ts";
import { recommendNow } from "../../directory/routes-public.ts";
import { describeSchedule, openState } from "../../directory/schedule.ts";
import type { DirectoryLine } from "../../directory/types.ts";
import { APPLICATION_STATUS_TITLES } from "../../portal/connector.ts";
import { portalOf } from "../../portal/room.ts";
import { ivrApplicationStatus } from "../../portal/service.ts";
import { isValidRequestNumber, normalizeRequestNumber } from "../../requests/number.ts";
import { requestRowByNumber } from "../../requests/queries.ts";
import { STATUS_TITLES, type Status } from "../../requests/status.ts";
import { incidentsForTopics, type PublicIncident } from "../../routing/incidents.ts";
import { MOSCOW_LABEL, moscowDateTime } from "../../text/display.ts";
import { phoneCalls, phoneLineSettings } from "./db-schema.ts";
import { lineForNumber, normalizeCallerNumber } from "./numbers.ts";
import { rateFromCall, takeInvitation } from "./rating.ts";
import { statusLimiterOf } from "./status-limit.ts";
import { spellDigits, twiml, type Verb } from "./twiml.ts";
import { queueLoad } from "./wallboard.ts";

export const IVR_STEPS = [
  "start",
  "menu",
  "menu-prompt",
  "request-status",
  "app-status",
  "overflow",
  "callback",
  "rate",
  "route",
] as const;
export type IvrStep = (typeof IVR_STEPS)[number];

export type IvrInput = {
  step: IvrStep;
  /** The path this endpoint was reached by: the actions of Gather and Redirect come back to it. */
  base: string;
  attempt: number;
  callSid?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  digits?: string | undefined;
  /** Whether the request was authenticated, so that `from` is the number the PBX connected. */
  callerTrusted: boolean;
};

const MAX_ATTEMPTS = 3;

// Said alike whether the application exists or not: an unverified caller learns nothing of it.
const STATUS_ELSEWHERE =
  "Статус заявления называется по телефону, только если вы звоните с номера телефона, указанного в учётной записи, которой принадлежит заявление. Статус можно посмотреть в личном кабинете на портале Госуслуг, в разделе «Заявления». Или нажмите 0 в меню, и оператор назовёт статус после проверки вашей личности.";

// Said when a caller (or all callers together) asked about more request numbers than the IVR tells in an hour.
const STATUS_LIMITED =
  "Сейчас мы не можем назвать статус обращения по телефону: слишком много запросов. Статус можно посмотреть на странице обращения по ссылке из уведомления. Или нажмите 0 в меню, чтобы поговорить с оператором.";

// An array, not an object: the menu is read in this order (1…5, then 0).
const MENU: Array<[string, { title: string; queue?: string; step?: IvrStep }]> = [
  ["1", { title: "Вход в личный кабинет, пароль и коды подтверждения", queue: "first_line" }],
  ["2", { title: "Статус заявления на портале", step: "app-status" }],
  ["3", { title: "Статус вашего обращения в службу поддержки", step: "request-status" }],
  ["4", { title: "Технические неполадки портала", queue: "technical" }],
  ["5", { title: "Организации и индивидуальные предприниматели", queue: "business" }],
  ["0", { title: "Другой вопрос, соединение с оператором" }],
];

type LineSetup = { line: DirectoryLine | undefined; queue: string; maxWaiting: number; maxWaitSeconds: number };

async function setupOf(ctx: AppContext, to: string | undefined): Promise<LineSetup> {
  const line = lineForNumber(directoryOf(ctx).lines, normalizeCallerNumber(to) ?? to);
  const [s] = line ? await ctx.db.select().from(phoneLineSettings).where(eq(phoneLineSettings.lineId, line.id)) : [];
  return {
    line,
    queue: s?.queue ?? "first_line",
    maxWaiting: s?.maxWaiting ?? ctx.config.phoneQueueMaxWaiting,
    maxWaitSeconds: s?.maxWaitSeconds ?? ctx.config.phoneQueueMaxWaitSeconds,
  };
}

export async function ivr(ctx: AppContext, input: IvrInput, now = new Date()): Promise<string> {
  const url = (step: IvrStep, attempt = 0) => `${input.base}?step=${step}${attempt ? `&attempt=${attempt}` : ""}`;
  const setup = await setupOf(ctx, input.to);
  const menu = (): Verb[] => [
    {
      gather: {
        action: url("menu"),
        numDigits: 1,
        say: MENU.map(([d, m]) => `${m.title} — нажмите ${d}.`),
      },
    },
    { redirect: url("menu-prompt", input.attempt + 1) },
  ];
  // A wrong or missing number: asked again, up to MAX_ATTEMPTS, then back to the menu.
  const askAgain = (step: IvrStep, text: string): Verb[] =>
    input.attempt + 1 >= MAX_ATTEMPTS
      ? [{ say: text }, { redirect: url("menu-prompt") }]
      : [{ say: text }, ...askNumber(url(step, input.attempt + 1), "Наберите номер ещё раз и нажмите решётку.")];

  // After the greeting (and the rating question, if any): closed hours, an overloaded queue, or the menu.
  const route = async (verbs: Verb[]): Promise<string> => {
    const line = setup.line;
    if (line) {
      const state = openState(line, directoryOf(ctx).calendar, now);
      if (state.open === false) return twiml([...verbs, ...closedMessage(ctx, line, now), ...callbackOffer(url)]);
      const overload = await overloaded(ctx, setup, now);
      if (overload) return twiml([...verbs, ...overflowOffer(ctx, line, url)]);
    }
    return twiml([...verbs, ...menu()]);
  };

  switch (input.step) {
    case "start": {
      const line = setup.line;
      const verbs: Verb[] = [
        {
          say: line
            ? `Здравствуйте! Вы позвонили в службу поддержки портала Госуслуг, ${line.title}.`
            : "Здравствуйте! Вы позвонили в службу поддержки портала Госуслуг.",
        },
        ...announceIncidents(await incidentsForTopics(ctx.db, line?.topics ?? [], !line)),
      ];
      // Only a number the PBX vouches for is the caller's: an unsigned request could name anyone's.
      const caller = input.callerTrusted ? normalizeCallerNumber(input.from) : null;
      const invited = caller && input.callSid ? await takeInvitation(ctx, caller, input.callSid, now) : null;
      if (invited) return twiml([...verbs, ...ratingQuestion(invited, url)]);
      return route(verbs);
    }
    case "rate": {
      const score = input.callSid ? await rateFromCall(ctx, input.callSid, input.digits) : null;
      return route(score ? [{ say: "Спасибо! Ваша оценка записана." }] : []);
    }
    case "route":
      return route([]);
    case "menu-prompt":
      if (input.attempt >= MAX_ATTEMPTS) return twiml([{ say: "Соединяем с оператором." }, { enqueue: setup.queue }]);
      return twiml(menu());
    case "menu": {
      const choice = MENU.find(([d]) => d === input.digits)?.[1];
      if (!choice) return twiml([{ say: "Такого пункта нет." }, { redirect: url("menu-prompt", input.attempt + 1) }]);
      if (choice.step === "request-status")
        return twiml(askNumber(url("request-status"), "Наберите номер обращения и нажмите решётку."));
      if (choice.step === "app-status")
        return twiml(askNumber(url("app-status"), "Наберите номер заявления на портале и нажмите решётку."));
      return twiml([
        { say: "Соединяем со специалистом. Оставайтесь на линии." },
        { enqueue: choice.queue ?? setup.queue },
      ]);
    }
    case "request-status": {
      const digits = normalizeRequestNumber(input.digits ?? "");
      if (!digits || !isValidRequestNumber(digits)) {
        return twiml(askAgain("request-status", "Номер набран с ошибкой: контрольная цифра не сходится."));
      }
      // Counted before the look-up: a number that exists and one that does not cost the same allowance.
      const caller = input.callerTrusted ? normalizeCallerNumber(input.from) : null;
      if (!statusLimiterOf(ctx).take(caller, now))
        return twiml([{ say: STATUS_LIMITED }, { redirect: url("menu-prompt") }]);
      const row = await requestRowByNumber(ctx.db, digits);
      if (!row)
        return twiml([{ say: `Обращение ${spellDigits(digits)} не найдено.` }, { redirect: url("menu-prompt") }]);
      const title = STATUS_TITLES[row.status as Status] ?? row.status;
      const extra =
        row.status === "waiting" ? " Мы ждём вашего ответа: его можно отправить по ссылке из уведомления." : "";
      return twiml([
        { say: `Обращение ${spellDigits(digits)}. Статус: ${title.toLowerCase()}.${extra}` },
        { redirect: url("menu-prompt") },
      ]);
    }
    case "app-status": {
      const number = (input.digits ?? "").replace(/\D/g, "");
      if (!number) return twiml(askAgain("app-status", "Номер не набран."));
      const callId = await callIdOf(ctx, input.callSid);
      // The caller's number counts only when the platform's request is authenticated (the PBX vouches for From).
      const caller = input.callerTrusted ? normalizeCallerNumber(input.from) : null;
      const app = await ivrApplicationStatus(ctx, portalOf(ctx), number, callId, caller);
      if (app === undefined)
        return twiml([
          { say: "Сведения о заявлениях сейчас недоступны. Соединяем с оператором." },
          { enqueue: "first_line" },
        ]);
      if (app === "refused") return twiml([{ say: STATUS_ELSEWHERE }, { redirect: url("menu-prompt") }]);
      return twiml([
        {
          say: `Заявление ${spellDigits(number)}, ${app.service}. Статус: ${APPLICATION_STATUS_TITLES[app.status] ?? app.status}.`,
        },
        { redirect: url("menu-prompt") },
      ]);
    }
    case "overflow": {
      const reserve = reserveOf(ctx, setup.line);
      if (input.digits === "1" && reserve)
        return twiml([{ say: `Переводим на резервную линию ${reserve.number}.` }, { dial: reserve.e164 }]);
      if (input.digits === "2") return twiml(await callback(ctx, input, setup, "очередь переполнена"));
      return twiml([{ say: "Оставайтесь на линии, оператор ответит вам." }, { enqueue: setup.queue }]);
    }
    case "callback":
      if (input.digits !== "1") return twiml([{ say: "До свидания." }, { hangup: true }]);
      return twiml(await callback(ctx, input, setup, "вне часов работы линии"));
  }
}

/**
 * What callers hear first about the outages that concern the line they rang, so that those calling about it need not
 * wait for an operator to learn it. Two at most: a greeting is not a bulletin.
 */
function announceIncidents(list: PublicIncident[]): Verb[] {
  return list.slice(0, 2).map((i) => ({
    say: [
      `Внимание: известен сбой. ${i.title.replace(/[.!?]*$/, "")}.`,
      "Специалисты уже устраняют его, сообщать о нём не нужно.",
      i.expectedRecoveryAt
        ? `Ожидаемое время восстановления: ${moscowDateTime(i.expectedRecoveryAt)} ${MOSCOW_LABEL}.`
        : "",
    ]
      .filter(Boolean)
      .join(" "),
  }));
}

/** The question put once on the next call of a caller whose request was resolved; no key or 0 passes it. */
const ratingQuestion = (number: string, url: (s: IvrStep) => string): Verb[] => [
  {
    gather: {
      action: url("rate"),
      numDigits: 1,
      timeout: 7,
      say: [
        `Ваше обращение ${spellDigits(number)} решено.`,
        "Оцените, пожалуйста, нашу помощь: нажмите цифру от 1 до 5, где 5 — отлично. Чтобы пропустить, нажмите 0.",
      ],
    },
  },
  { redirect: url("route") },
];

const askNumber = (action: string, prompt: string): Verb[] => [
  { gather: { action, finishOnKey: "#", timeout: 10, say: [prompt] } },
];

function closedMessage(ctx: AppContext, line: DirectoryLine, now: Date): Verb[] {
  const state = directoryOf(ctx);
  const verbs: Verb[] = [{ say: `Сейчас линия закрыта. Часы работы: ${describeSchedule(line, now)}.` }];
  const topic = line.topics.length === 1 ? line.topics[0]! : "information";
  const audience = line.audience.length === 1 ? line.audience[0] : undefined;
  const open = recommendNow(state, { topic, audience }, now)
    .filter((i) => i.open && i.id !== line.id && i.e164 !== line.e164)
    .slice(0, 2);
  if (open.length) {
    verbs.push({ say: `Сейчас открыты: ${open.map((i) => `${i.title}, номер ${i.number}`).join("; ")}.` });
  }
  return verbs;
}

const callbackOffer = (url: (s: IvrStep) => string): Verb[] => [
  { gather: { action: url("callback"), numDigits: 1, say: ["Чтобы мы перезвонили вам в рабочее время, нажмите 1."] } },
  { say: "До свидания." },
  { hangup: true },
];

function reserveOf(ctx: AppContext, line: DirectoryLine | undefined) {
  if (!line) return undefined;
  return directoryOf(ctx).lines.find((l) => l.backs === line.id && l.published);
}

function overflowOffer(ctx: AppContext, line: DirectoryLine, url: (s: IvrStep) => string): Verb[] {
  const reserve = reserveOf(ctx, line);
  const say = ["Сейчас все операторы заняты, ожидание дольше обычного."];
  if (reserve) say.push(`Чтобы перейти на резервную линию ${reserve.number}, нажмите 1.`);
  say.push(
    "Чтобы мы вам перезвонили, нажмите 2.",
    "Или оставайтесь на линии: оператор ответит, как только освободится.",
  );
  return [{ gather: { action: url("overflow"), numDigits: 1, say } }, { redirect: url("overflow") }];
}

/**
 * Whether the line's queue passed its thresholds; the directory's overload mark follows, so that the public
 * pages offer the reserve line first. Only a mark the phone channel set itself is cleared here.
 */
async function overloaded(ctx: AppContext, setup: LineSetup, now: Date): Promise<boolean> {
  const load = await queueLoad(ctx, setup.queue, now);
  const over = load.waiting >= setup.maxWaiting || load.longestWaitSeconds >= setup.maxWaitSeconds;
  const line = setup.line;
  if (line && line.role === "main") {
    const mark = directoryOf(ctx).overloaded.get(line.id);
    if (over && !mark) await setOverloaded(ctx, line.id, true, null);
    if (!over && mark && mark.setBy === null) await setOverloaded(ctx, line.id, false, null);
  }
  return over;
}

async function callback(ctx: AppContext, input: IvrInput, setup: LineSetup, why: string): Promise<Verb[]> {
  const phone = normalizeCallerNumber(input.from);
  if (!phone) return [{ say: "Не удалось определить ваш номер: позвоните, пожалуйста, позже." }, { hangup: true }];
  const line = setup.line;
  const topic = line && line.topics.length === 1 ? line.topics[0] : "information";
  const r = await ctx.requests.register({
    text: `Просьба перезвонить: ${why}${line ? ` (линия «${line.title}»)` : ""}.`,
    subject: "Обратный звонок",
    category: topic,
    channel: "phone",
    contact: { phone },
    // The platform may repeat a request: one call asks for one call-back.
    idempotencyKey: input.callSid ? `ivr-callback-${input.callSid}` : undefined,
  });
  return [
    { say: `Заявка на обратный звонок принята. Номер обращения: ${spellDigits(r.number)}. Мы перезвоним вам.` },
    { hangup: true },
  ];
}

async function callIdOf(ctx: AppContext, callSid: string | undefined): Promise<number | null> {
  if (!callSid) return null;
  const [c] = await ctx.db.select({ id: phoneCalls.id }).from(phoneCalls).where(eq(phoneCalls.externalId, callSid));
  return c?.id ?? null;
}
