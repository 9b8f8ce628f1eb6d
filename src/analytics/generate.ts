// Demo data for the statistics: a year of realistic requests, messages, history, ratings and (when the phone room's
// table exists) calls. Requests go in batches through one multi-row statement each (jsonb_to_recordset: the same SQL
// on PostgreSQL and PGlite); messages, history and calls are then derived in set-based SQL over the new rows.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { parse } from "yaml";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { formatRequestNumber } from "../requests/number.ts";
import { DEFAULT_ROUTE } from "../routing/departments.ts";
import { tableExists } from "./measures.ts";

export type GenerateOptions = { requests: number; days?: number; batch?: number; seed?: number; now?: Date };

/** A small deterministic generator (mulberry32), so a demo can be made again identically. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T extends string>(rnd: () => number, table: Record<T, number>): T {
  const entries = Object.entries(table) as [T, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rnd() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** Log-normal minutes around a median (spread: the ratio of p84 to the median). */
function lognormal(rnd: () => number, median: number, spread: number) {
  const u = Math.max(1e-9, rnd());
  const v = rnd();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * spread ** z;
}

const CHANNELS = { web: 40, phone: 30, email: 15, chat: 15 };
const CATEGORIES = {
  access: 28,
  application_status: 18,
  documents: 12,
  contacts: 9,
  technical: 10,
  e_signature: 5,
  business: 6,
  information: 9,
  complaint: 3,
} as const;
// Moscow hours: the day peaks before lunch and in the afternoon; the night is quiet.
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 7, 11, 14, 15, 15, 13, 13, 14, 14, 13, 12, 10, 9, 8, 6, 4, 3];
const WEEKDAY_WEIGHTS = [1.2, 1.1, 1.05, 1.0, 0.95, 0.55, 0.45]; // Monday first
const FIRST_MEDIAN: Record<string, number> = { phone: 0.5, chat: 3, web: 240, email: 420 };
const FIRST_DUE: Record<string, number> = { phone: 5, chat: 15, web: 1440, email: 1440 };
const ESCALATE_TO: Partial<Record<string, string>> = {
  access: "accounts",
  contacts: "accounts",
  application_status: "applications",
  documents: "applications",
  information: "applications",
  complaint: "applications",
};
const COMMENTS = [
  "Спасибо, всё решили быстро.",
  "Долго ждал ответа, но вопрос решён.",
  "Оператор вежливый, объяснил по шагам.",
  "Ответ шаблонный, пришлось писать ещё раз.",
  "Код так и не пришёл, проблема осталась.",
  "Отлично, помогли восстановить доступ.",
  "Хотелось бы быстрее.",
  "Заявление наконец приняли, спасибо.",
];
const APPLICANT_TEXTS = [
  "Не приходит СМС с кодом подтверждения при входе.",
  "Заявление третий день в статусе «Отправлено», что делать?",
  "Не могу загрузить скан паспорта, выдаёт ошибку.",
  "Как сменить номер телефона в профиле?",
  "Портал не открывается, белый экран.",
  "Подпись не проходит проверку при подаче заявления.",
  "Как зарегистрировать организацию на портале?",
  "Подскажите часы работы регионального центра.",
];
const STAFF_TEXTS = [
  "Здравствуйте! Проверьте, пожалуйста, номер телефона в профиле и запросите код повторно через 5 минут.",
  "Здравствуйте! Заявление на рассмотрении в ведомстве, срок — до 5 рабочих дней.",
  "Здравствуйте! Уменьшите размер файла до 5 МБ и загрузите в формате PDF.",
];

export async function generateDemo(db: Queryable, opts: GenerateOptions, progress?: (done: number) => void) {
  const rnd = random(opts.seed ?? 20260101);
  const days = opts.days ?? 365;
  const batch = opts.batch ?? 5000;
  const now = opts.now ?? new Date();
  const regions = (
    parse(readFileSync(new URL("../../data/regions.yaml", import.meta.url), "utf8")) as { regions: { name: string }[] }
  ).regions.map((r) => r.name);
  // Bigger regions write more: a few heavy weights, the rest by a random spread.
  const regionWeights: Record<string, number> = {};
  for (const r of regions) regionWeights[r] = 0.3 + rnd();
  for (const [r, w] of [
    ["Москва", 14],
    ["Московская область", 8],
    ["Санкт-Петербург", 6],
    ["Краснодарский край", 3.5],
    ["Свердловская область", 3],
    ["Республика Татарстан", 2.6],
  ] as const) {
    if (r in regionWeights) regionWeights[r] = w;
  }

  const depts = rowsOf<{ id: number; code: string }>(await db.execute(sql`select id, code from departments`));
  const deptId = Object.fromEntries(depts.map((d) => [d.code, Number(d.id)]));
  if (!deptId.first_line) throw new Error("departments are missing: run `npx otklik migrate` first");
  const staff = await demoStaff(db, depts);

  // Reserve the numbers: the sequence moves past the whole range at once.
  const [seqRow] = rowsOf<{ v: string }>(
    await db.execute(sql`select setval('request_number_seq', nextval('request_number_seq') + ${opts.requests}) as v`),
  );
  let nextNumber = Number(seqRow!.v) - opts.requests;
  const [startRow] = rowsOf<{ id: string | null }>(await db.execute(sql`select max(id) as id from requests`));
  const startId = Number(startRow?.id ?? 0);
  const dayMs = 86_400_000;
  const start = now.getTime() - days * dayMs;
  const hourTotal = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

  // All registration times first, in order: rows are written as a real registry fills, oldest first, so a
  // period's requests sit together on disk as they would in production.
  const times: number[] = [];
  while (times.length < opts.requests) {
    // A day (weighted by weekday, slowly growing over the year), then an hour of Moscow time.
    let dayStart: number;
    for (;;) {
      const d = Math.floor(rnd() * days);
      dayStart = start + d * dayMs;
      const msk = new Date(dayStart + 3 * 3_600_000);
      const wd = (msk.getUTCDay() + 6) % 7;
      if (rnd() * 1.3 < WEEKDAY_WEIGHTS[wd]! * (0.8 + (0.2 * d) / days)) break;
    }
    const mskMidnight = Math.floor((dayStart + 3 * 3_600_000) / dayMs) * dayMs - 3 * 3_600_000;
    let h = 0;
    for (let x = rnd() * hourTotal; h < 23; h++) {
      x -= HOUR_WEIGHTS[h]!;
      if (x < 0) break;
    }
    const created = mskMidnight + h * 3_600_000 + Math.floor(rnd() * 3_600_000);
    if (created <= now.getTime()) times.push(created);
  }
  times.sort((a, b) => a - b);

  let done = 0;
  while (done < opts.requests) {
    const n = Math.min(batch, opts.requests - done);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const created = times[done + i]!;
      const channel = weighted(rnd, CHANNELS);
      const category = weighted(rnd, CATEGORIES);
      const audience =
        category === "business"
          ? rnd() < 0.6
            ? "legal_entity"
            : "entrepreneur"
          : weighted(rnd, { citizen: 90, legal_entity: 6, entrepreneur: 4 });
      const region = rnd() < 0.08 ? null : weighted(rnd, regionWeights);
      let dept = DEFAULT_ROUTE[category];
      const escalated = dept === "first_line" && rnd() < 0.12;
      if (escalated) dept = (ESCALATE_TO[category] ?? "technical") as typeof dept;
      const ageMin = (now.getTime() - created) / 60_000;
      const firstDue = FIRST_DUE[channel]!;
      const resolutionDue = category === "e_signature" || category === "business" ? 7200 : 4320;
      const firstAfter = lognormal(rnd, FIRST_MEDIAN[channel]!, 2.5);
      const responded = firstAfter < ageMin && rnd() > 0.01;
      let resolveAfter = Math.max(firstAfter + 1, lognormal(rnd, escalated ? 2880 : 600, 2.8));
      // The recent past is still being worked on; a few old requests are stuck.
      let resolved = resolveAfter < ageMin && rnd() > 0.004;
      if (!responded) resolved = false;
      if (!resolved) resolveAfter = 0;
      const status = resolved
        ? ageMin - resolveAfter > 7 * 1440
          ? "closed"
          : "resolved"
        : escalated
          ? "escalated"
          : responded
            ? rnd() < 0.3
              ? "waiting"
              : "in_progress"
            : "new";
      const rated = resolved && rnd() < 0.35;
      const rating = rated ? Number(weighted(rnd, { "1": 10, "2": 7, "3": 12, "4": 25, "5": 46 })) : null;
      const pool = staff[dept] ?? staff.first_line!;
      const at = (m: number) => new Date(created + m * 60_000).toISOString();
      const num = formatRequestNumber(nextNumber++);
      rows.push({
        number: num,
        tracking_token_hash: createHash("sha256")
          .update(`demo:${num}:${randomBytes(4).toString("hex")}`)
          .digest("hex"),
        subject: "",
        category,
        category_confidence: 0.9,
        category_source: "classifier",
        audience,
        region,
        channel,
        status,
        department_id: deptId[dept] ?? deptId.first_line,
        assignee_id: responded ? pool[Math.floor(rnd() * pool.length)] : null,
        first_response_due_at: at(firstDue),
        resolution_due_at: at(resolutionDue),
        first_responded_at: responded ? at(firstAfter) : null,
        resolved_at: resolved ? at(resolveAfter) : null,
        closed_at: status === "closed" ? at(resolveAfter + 7 * 1440) : null,
        rating,
        rating_comment: rated && rnd() < 0.3 ? COMMENTS[Math.floor(rnd() * COMMENTS.length)] : null,
        rated_at: rated ? at(resolveAfter + 60) : null,
        escalated,
        replied: responded && rnd() < 0.15,
        created_at: new Date(created).toISOString(),
        updated_at: new Date(resolved ? created + resolveAfter * 60_000 : created).toISOString(),
      });
    }
    await insertBatch(db, rows);
    done += n;
    progress?.(done);
  }
  await derived(db, startId);
  await db.execute(sql`analyze requests`);
  await db.execute(sql`analyze request_history`);
  const [count] = rowsOf<{ n: string }>(
    await db.execute(sql`select count(*) as n from requests where id > ${startId}`),
  );
  return { requests: Number(count!.n) };
}

async function insertBatch(db: Queryable, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  await db.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
        number text, tracking_token_hash text, subject text, category text, category_confidence real,
        category_source text, audience text, region text, channel text, status text, department_id int,
        assignee_id int, first_response_due_at timestamptz, resolution_due_at timestamptz,
        first_responded_at timestamptz, resolved_at timestamptz, closed_at timestamptz, rating smallint,
        rating_comment text, rated_at timestamptz, escalated boolean, replied boolean, created_at timestamptz,
        updated_at timestamptz)),
    ins as (
      insert into requests (number, tracking_token_hash, subject, category, category_confidence, category_source,
        audience, region, channel, status, department_id, assignee_id, first_response_due_at, resolution_due_at,
        first_responded_at, resolved_at, closed_at, rating, rating_comment, rated_at, created_at, updated_at)
      select number, tracking_token_hash, subject, category, category_confidence, category_source, audience, region,
        channel, status, department_id, assignee_id, first_response_due_at, resolution_due_at, first_responded_at,
        resolved_at, closed_at, rating, rating_comment, rated_at, created_at, updated_at
      from input
      returning id, number)
    insert into request_history (request_id, actor_type, action, changes, created_at)
    select ins.id, 'staff', a.action, '{}'::jsonb, i.created_at + a.after
    from ins join input i using (number)
      cross join lateral (values ('escalated', interval '30 minutes', i.escalated),
                                 ('applicant_replied', interval '3 hours', i.replied)) as a(action, after, flag)
    where a.flag`);
}

/** Messages and calls for the requests after `startId`, in set-based statements. */
async function derived(db: Queryable, startId: number) {
  const texts = (list: string[]) => sql.raw(`(array[${list.map((t) => `'${t.replaceAll("'", "''")}'`).join(",")}])`);
  await db.execute(sql`
    insert into messages (request_id, visibility, author_type, body, channel, created_at)
    select r.id, 'public', 'applicant', ${texts(APPLICANT_TEXTS)}[1 + r.id % ${APPLICANT_TEXTS.length}], r.channel, r.created_at
    from requests r where r.id > ${startId}`);
  await db.execute(sql`
    insert into messages (request_id, visibility, author_type, author_id, body, channel, created_at)
    select r.id, 'public', 'staff', r.assignee_id, ${texts(STAFF_TEXTS)}[1 + r.id % ${STAFF_TEXTS.length}], r.channel,
      r.first_responded_at
    from requests r where r.id > ${startId} and r.first_responded_at is not null`);
  if (!(await tableExists(db, "phone_calls"))) return;
  // Each phone request was a call: answered after a few seconds, talked a few minutes. About one caller in twelve
  // hangs up before an answer and leaves no request.
  await db.execute(sql`
    insert into phone_calls (external_id, direction, state, user_id, started_at, answered_at, ended_at, request_id)
    select 'demo-' || r.id, 'in', 'ended', r.assignee_id, r.created_at,
      r.created_at + make_interval(secs => 3 + (r.id * 7919 % 97)),
      r.created_at + make_interval(secs => 3 + (r.id * 7919 % 97) + 90 + (r.id * 104729 % 420)), r.id
    from requests r where r.id > ${startId} and r.channel = 'phone'`);
  await db.execute(sql`
    insert into phone_calls (external_id, direction, state, started_at, ended_at)
    select 'demo-lost-' || r.id, 'in', 'abandoned', r.created_at - interval '2 minutes',
      r.created_at - interval '2 minutes' + make_interval(secs => 10 + (r.id * 31 % 120))
    from requests r where r.id > ${startId} and r.channel = 'phone' and r.id % 12 = 0`);
}

const WOMEN = ["Анна", "Елена", "Ольга", "Мария", "Наталья", "Ирина", "Татьяна", "Светлана", "Юлия", "Дарья", "Ксения"];
const MEN = ["Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Иван", "Николай", "Павел", "Артём", "Егор", "Олег"];
// Surnames in the masculine form; a woman's takes «-а» (Смирнов → Смирнова).
// biome-ignore format: a list of names reads better in rows
const SURNAMES = [
  "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков", "Соловьёв",
  "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов",
  "Беляев", "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин",
];

/** The n-th demo employee's name: «Ирина Лебедева», «Павел Орлов»; the same n always gives the same name. */
export function demoName(n: number): string {
  const woman = n % 3 !== 2; // contact centres employ more women than men
  const first = woman ? WOMEN[n % WOMEN.length]! : MEN[n % MEN.length]!;
  const surname = SURNAMES[(n * 7) % SURNAMES.length]!;
  return `${first} ${woman ? `${surname}а` : surname}`;
}

/** Forty operators and a few specialists per department (inactive: they cannot sign in). */
async function demoStaff(db: Queryable, depts: { id: number; code: string }[]) {
  const out: Record<string, number[]> = {};
  let n = 0;
  for (const d of depts) {
    const count = d.code === "first_line" ? 40 : 6;
    const role = d.code === "first_line" ? "operator" : "specialist";
    const values = Array.from({ length: count }, (_, i) => {
      const email = `demo-${d.code}-${i + 1}@otklik.demo`;
      return sql`(${email}, ${demoName(n++)}, ${role}, ${d.id}, '!', false)`;
    });
    const rows = rowsOf<{ id: number }>(
      await db.execute(sql`
        insert into users (email, name, role, department_id, password_hash, active)
        values ${sql.join(values, sql`, `)}
        on conflict (lower(email)) do update set department_id = excluded.department_id, name = excluded.name
        returning id`),
    );
    out[d.code] = rows.map((r) => Number(r.id));
  }
  return out;
}
