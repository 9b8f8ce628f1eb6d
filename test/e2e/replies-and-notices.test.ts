// The operator's shift in the browser: a supervisor's notices — one per event, grouped by request, live, all marked
// read at once — and answers from templates and a macro in the request page, and a template in the chat inbox.
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChat } from "../../src/channels/chat/settings.ts";
import { kbMacros } from "../../src/knowledge/db-schema.ts";
import { requests } from "../../src/requests/schema.ts";
import { sweep } from "../../src/routing/escalation.ts";
import { notifyStaff } from "../../src/routing/notify.ts";
import { createUser } from "../../src/staff/service.ts";
import { displayRequestNumber } from "../../src/text/display.ts";
import { DESKTOP, login, newContext, PHONE, STAFF_PASSWORD, startWorld, type World, watch } from "./support.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  configureChat(world.server.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
});
afterAll(async () => {
  await world?.close();
});

const MIN = 60_000;
const api = (path: string, init?: RequestInit) => fetch(`${world.url}/api/v1${path}`, init);

async function submit(text: string, contact: Record<string, string>) {
  const res = await api("/requests", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, contact, category: "access" }),
  });
  return ((await res.json()) as { number: string }).number;
}

async function staff(name: string, email: string, role: string) {
  const u = await createUser(world.server.ctx.db, {
    email,
    name,
    role,
    password: STAFF_PASSWORD,
    department: "first_line",
  });
  return { id: u.id, email };
}

const bell = (page: Page) => page.getByRole("button", { name: /^Уведомления/ });

describe("notices in the console", () => {
  it("one line per request with its count, no notice twice, live, and all marked read at once", async () => {
    const sup = await staff("Вера Руководитель", "vera@otklik.test", "supervisor");
    const numbers = [
      await submit("Не приходит код подтверждения", { email: "a1@example.ru" }),
      await submit("Учётная запись заблокирована", { email: "a2@example.ru" }),
    ];
    const t0 = Date.now();
    for (const number of numbers) {
      await world.server.ctx.db
        .update(requests)
        .set({
          createdAt: new Date(t0 - 200 * MIN),
          firstResponseDueAt: new Date(t0 - 120 * MIN),
          resolutionDueAt: new Date(t0 - 120 * MIN),
        })
        .where(eq(requests.number, number));
    }
    // Three steps of the ladder per request reach the supervisor; two missed targets each are two notices.
    await sweep(world.server.ctx, new Date(t0));

    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, sup.email, STAFF_PASSWORD);
    await expect.poll(async () => bell(page).textContent()).toMatch(/Уведомления\s*4 непрочитанных/);
    await bell(page).click();
    const box = page.getByRole("dialog", { name: "Уведомления" });
    const list = box.getByRole("list", { name: "Уведомления по обращениям" });
    for (const number of numbers) {
      await list.getByRole("link", { name: `2 события по обращению ${displayRequestNumber(number)}` }).waitFor();
    }
    const lines = await list.getByRole("listitem").allTextContents();
    expect(lines).toHaveLength(2);
    // The newest of each request's notices under its count, each once.
    const latest = lines.map((l) => l.split("Последнее: ")[1]);
    expect(new Set(latest).size).toBe(2);

    // A new notice arrives while the list is open: the count follows without a reload.
    const [other] = numbers;
    const [row] = await world.server.ctx.db.select().from(requests).where(eq(requests.number, other!));
    await world.server.ctx.db.transaction((tx) =>
      notifyStaff(tx, [sup.id], { requestId: row!.id, kind: "followed", title: "Обращение: новое сообщение." }),
    );
    await list.getByRole("link", { name: `3 события по обращению ${displayRequestNumber(other!)}` }).waitFor();
    await expect.poll(async () => bell(page).textContent()).toMatch(/5 непрочитанных/);

    await box.getByRole("button", { name: "Отметить все прочитанными" }).click();
    await box.getByText("Всё прочитано.").waitFor();
    await expect.poll(async () => bell(page).textContent()).toBe("Уведомления ");
    expect(problems).toEqual([]);
  });
});

describe("answers from templates", () => {
  it("in the request page: a template filled for an applicant with no name goes out as written", async () => {
    const op = await staff("Инна Оператор", "inna@otklik.test", "operator");
    const number = await submit("Не могу войти, не приходит код", { email: "noname@example.ru" });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, op.email, STAFF_PASSWORD);
    await page.goto(`/console/requests/${number}`);
    await page.getByRole("button", { name: "Вставить шаблон: Не приходит код подтверждения" }).click();
    const box = page.getByLabel("Сообщение", { exact: true });
    await expect.poll(async () => box.inputValue()).toMatch(/^Здравствуйте!\n\nЕсли код подтверждения не приходит/);
    expect(await box.inputValue()).toMatch(/С уважением,\nИнна Оператор$/);
    await page.getByRole("button", { name: "Ответить заявителю" }).click();
    await page.getByRole("status").getByText("Ответ отправлен заявителю").waitFor();
    await page
      .getByRole("list", { name: "Переписка и заметки" })
      .getByText(/проверим доставку по обращению/)
      .waitFor();
    expect(problems).toEqual([]);
  });

  it("in the request page: a macro changes the category and takes the request in one action", async () => {
    const op = await staff("Марк Макросов", "mark.macro@otklik.test", "operator");
    await world.server.ctx.db
      .insert(kbMacros)
      .values({ title: "Взять себе как справочный", category: "information", assign: "self" });
    const number = await submit("Подскажите, где найти справку о доходах", { email: "macro@example.ru" });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, op.email, STAFF_PASSWORD);
    await page.goto(`/console/requests/${number}`);
    await page.getByLabel("Макрос").selectOption({ label: "Взять себе как справочный" });
    await page.getByRole("button", { name: "Применить макрос" }).click();
    await page.getByText("Макрос «Взять себе как справочный» применён").waitFor();
    const [row] = await world.server.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(row).toMatchObject({ category: "information", assigneeId: op.id });
    // The choice is cleared once it has run (after the request is read again, which the notice does not wait for).
    await expect.poll(() => page.getByLabel("Макрос").inputValue(), { timeout: 5_000 }).toBe("");
    expect(problems).toEqual([]);
  });

  it("in the chat inbox: the operator picks a template, it is filled with the applicant's name and sent", async () => {
    const op = await staff("Олег Оператор", "oleg@otklik.test", "operator");
    const phone = await (await newContext(world, PHONE)).newPage();
    await phone.goto("/");
    await phone.getByRole("button", { name: "Чат", exact: true }).click();
    const chat = phone.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByLabel("Как к вам обращаться").fill("Мария");
    await chat.getByLabel("Электронная почта").fill("maria@example.ru");
    await chat.getByRole("button", { name: "Начать чат" }).click();
    await chat.getByLabel("Сообщение").fill("Учётная запись заблокирована, не могу войти");
    await chat.getByLabel("Сообщение").press("Enter");
    await chat.getByRole("button", { name: "Позвать оператора" }).click();
    await chat.getByText("Ждём оператора").waitFor();

    const desk = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(desk);
    await login(desk, op.email, STAFF_PASSWORD);
    await desk.getByRole("link", { name: "Чаты" }).click();
    await desk.getByRole("button", { name: "Принять" }).first().click();
    await desk
      .getByRole("log", { name: "Переписка" })
      .getByText("Учётная запись заблокирована, не могу войти", { exact: true })
      .waitFor();
    await desk.getByLabel("Шаблон ответа").selectOption({ label: "Учётная запись заблокирована" });
    await desk.getByRole("button", { name: "Вставить шаблон" }).click();
    const reply = desk.getByLabel("Ответ заявителю");
    await expect.poll(async () => reply.inputValue()).toMatch(/^Здравствуйте, Мария!\n\nУчётную запись временно/);
    expect(await reply.inputValue()).toMatch(
      /до \d{1,2} [а-я]+( 20\d\d г\.)? в \d\d:\d\d по московскому времени \([а-я]+\)/,
    );
    await reply.press("Enter");
    await chat.getByText(/Здравствуйте, Мария!/).waitFor();
    await chat.getByText(/Учётную запись временно блокируют/).waitFor();
    expect(problems).toEqual([]);
  });
});
