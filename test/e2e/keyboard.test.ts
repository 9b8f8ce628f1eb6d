// A shift worked from the keyboard alone — the queue with j/k/Enter, an answer with r and Ctrl+Enter, an escalation
// with e, back to the queue with u and on to the next request — and requests merged, split and linked from the
// console.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChat } from "../../src/channels/chat/settings.ts";
import { requestRowByNumber } from "../../src/requests/queries.ts";
import { messages } from "../../src/requests/schema.ts";
import { createApiToken } from "../../src/staff/api-tokens.ts";
import { createUser } from "../../src/staff/service.ts";
import { ChatClient } from "../chat-test-client.ts";
import { DESKTOP, login, newContext, STAFF_PASSWORD, startWorld, type World, watch } from "./support.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

async function register(text: string, contact: object = { name: "Ирина", email: "irina.keys@example.ru" }) {
  const res = await fetch(`${world.url}/api/v1/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, category: "information", contact }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { number: string; trackingUrl: string };
}

const live = (page: Page) => page.locator("#kbd-live").textContent();
const focusedNumber = (page: Page) =>
  page.evaluate<string | null>(`document.activeElement?.closest("tr")?.getAttribute("data-number") ?? null`);
const focusedId = (page: Page) => page.evaluate<string | undefined>("document.activeElement?.id");
/** Takes the focus out of a field, as Esc or a click on the page would, so that the keys act on the page again. */
const blur = (page: Page) => page.evaluate("document.activeElement?.blur()");
const heading = (page: Page) => page.locator("h1").textContent();
const digits = (text: string | null) => (text ?? "").replace(/\D/g, "");

describe("the keyboard", () => {
  it("walks a shift: j/k/Enter in the queue, r and Ctrl+Enter, e, u back to the queue, the next request", async () => {
    const a = await register("Как получить справку о несудимости через портал?");
    const b = await register("Не приходит код подтверждения на телефон при входе.");
    const c = await register("Где посмотреть статус заявления на загранпаспорт?");
    await createUser(world.server.ctx.db, {
      email: "keys@otklik.test",
      name: "Ксения Клавишина",
      role: "operator",
      password: STAFF_PASSWORD,
      department: "first_line",
    });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "keys@otklik.test", STAFF_PASSWORD);
    await page.locator(`tr[data-number="${c.number}"]`).waitFor();
    // The queue's own order (what needs action first) decides which row is first and which next.
    const rows = () =>
      page.locator("tr[data-number]").evaluateAll((list) => list.map((r) => r.getAttribute("data-number")!));
    const order = await rows();
    expect(order).toEqual(expect.arrayContaining([a.number, b.number, c.number]));
    const first = { number: order[0]! };
    const second = { number: order[1]! };

    // A letter typed in the search box stays there: no shortcut fires in a field.
    await page.keyboard.press("/");
    expect(await focusedId(page)).toBe("queue-search");
    await page.keyboard.type("jk");
    expect(await page.locator("#queue-search").inputValue()).toBe("jk");
    await page.locator("#queue-search").fill("");
    await blur(page);

    await page.keyboard.press("j");
    expect(await focusedNumber(page)).toBe(first.number);
    await page.keyboard.press("j");
    expect(await focusedNumber(page)).toBe(second.number);
    await expect.poll(() => live(page)).toMatch(/2 из \d+/);
    await page.keyboard.press("k");
    expect(await focusedNumber(page)).toBe(first.number);
    // The selection is visible beside the focus ring.
    expect(await page.locator(`tr[data-number="${first.number}"]`).getAttribute("data-kbd-selected")).toBe("true");
    await page.keyboard.press("Enter");
    await expect.poll(async () => digits(await heading(page))).toBe(first.number);

    // r: the reply box, for the applicant; Ctrl+Enter sends.
    await page.keyboard.press("r");
    expect(await focusedId(page)).toBe("reply-body");
    await page.keyboard.type("Здравствуйте! Статус виден в разделе «Заявления» личного кабинета.");
    await page.keyboard.press("Control+Enter");
    await page.getByText("Ответ отправлен заявителю").waitFor();
    const row = await requestRowByNumber(world.server.ctx.db, first.number);
    const sent = await world.server.ctx.db
      .select({ visibility: messages.visibility })
      .from(messages)
      .where(and(eq(messages.requestId, row!.id), eq(messages.authorType, "staff")));
    expect(sent).toEqual([{ visibility: "public" }]);

    // n: a note, sent the same way.
    await blur(page);
    await page.keyboard.press("n");
    await page.keyboard.type("Проверила: заявление в ведомстве.");
    await page.keyboard.press("Control+Enter");
    await page.getByText("Заметка сохранена").waitFor();

    // e: the escalation dialog; its fields by the keyboard too.
    await blur(page);
    await page.keyboard.press("e");
    const dialog = page.getByRole("dialog", { name: "Передать в профильное подразделение" });
    await dialog.waitFor();
    // A shortcut does not fire inside the dialog: «u» typed in the reason stays there.
    await dialog.getByLabel("Подразделение").selectOption("applications");
    await dialog.getByLabel("Причина передачи").focus();
    await page.keyboard.type("Нужна проверка обмена с ведомством, u.");
    expect(await dialog.getByLabel("Причина передачи").inputValue()).toContain("ведомством, u.");
    await dialog.getByRole("button", { name: "Передать" }).focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => page.locator(".badge[data-status]").getAttribute("data-status")).toBe("escalated");

    // u: back to the queue, where the request just worked on is selected again; j/k and Enter open the next.
    await blur(page);
    await page.keyboard.press("u");
    await page.getByRole("heading", { name: "Очередь обращений" }).waitFor();
    await expect.poll(() => focusedNumber(page)).toBe(first.number);
    // Answered, it has moved down the queue: the next to work on is the top row, reached by j or k from here.
    const now = await rows();
    const next = now.find((n) => n !== first.number)!;
    const steps = now.indexOf(next) - now.indexOf(first.number);
    for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? "j" : "k");
    expect(await focusedNumber(page)).toBe(next);
    await page.keyboard.press("Enter");
    await expect.poll(async () => digits(await heading(page))).toBe(next);

    // ?: the list of shortcuts, a modal dialog that Esc closes.
    await page.keyboard.press("Shift+Slash");
    const help = page.getByRole("dialog", { name: "Сочетания клавиш" });
    await help.waitFor();
    expect(await help.locator("dt").count()).toBe(10);
    expect(await help.textContent()).toContain("Передать обращение в подразделение");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    // Single-key shortcuts can be switched off (and on again) in the same dialog, from its button too.
    await page.getByRole("button", { name: "Сочетания клавиш" }).click();
    await help.getByLabel("Клавиши из одной буквы включены").uncheck();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
    await page.keyboard.press("u");
    await page.waitForTimeout(300);
    expect(digits(await heading(page))).toBe(next);
    await page.getByRole("button", { name: "Сочетания клавиш" }).click();
    await help.getByLabel("Клавиши из одной буквы включены").check();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
    await blur(page);
    await page.keyboard.press("u");
    await page.getByRole("heading", { name: "Очередь обращений" }).waitFor();
    expect(problems).toEqual([]);
  });
});

describe("merge, split and related requests from the console", () => {
  it("merges a duplicate, follows its old number, splits a message off and links the new request", async () => {
    const contact = { name: "Павел", email: "pavel.merge@example.ru" };
    const target = await register("Не могу оплатить госпошлину картой: ошибка банка.", contact);
    const duplicate = await register("Оплата госпошлины не проходит, пишу повторно.", contact);
    await createUser(world.server.ctx.db, {
      email: "merge@otklik.test",
      name: "Мария Объединяева",
      role: "supervisor",
      password: STAFF_PASSWORD,
    });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "merge@otklik.test", STAFF_PASSWORD);

    await page.goto(`/console/requests/${duplicate.number}`);
    await page.getByLabel("Объединить это обращение с обращением №").fill(target.number);
    await page.getByRole("button", { name: "Объединить…" }).click();
    await page.getByText("а это закроется").waitFor();
    await page.getByRole("button", { name: "Да, объединить" }).click();
    await expect.poll(async () => digits(await heading(page))).toBe(target.number);
    await page.getByText(/Объединены с этим:/).waitFor();
    await expect.poll(() => page.locator(".thread").textContent()).toContain("пишу повторно");

    // The old number leads to the target, saying so.
    await page.goto(`/console/requests/${duplicate.number}`);
    await expect.poll(async () => digits(await heading(page))).toBe(target.number);
    await page.getByText("объединено с этим: его номер ведёт сюда").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${target.number}`);

    // The applicant's old link shows the request it went into.
    const tracking = await (await newContext(world, DESKTOP)).newPage();
    await tracking.goto(new URL(duplicate.trackingUrl).pathname);
    await tracking.getByText("объединено с этим").waitFor();
    expect(digits(await tracking.locator("h1").textContent())).toBe(target.number);

    // Split the duplicate's words off into a request of their own.
    await page.getByLabel("Выделить в новое обращение").selectOption({ index: 2 });
    await page.getByRole("button", { name: "Выделить", exact: true }).click();
    const created = page.getByRole("status").filter({ hasText: "Новое обращение:" });
    await created.waitFor();
    const fresh = digits(await created.getByRole("link").textContent());
    const row = await requestRowByNumber(world.server.ctx.db, fresh);
    expect(row).toMatchObject({ contactEmail: contact.email, status: "new" });

    // Link it as related; it shows on both sides, and goes away on both.
    await page.getByLabel("Связать с обращением №").fill(fresh);
    await page.getByRole("button", { name: "Связать" }).click();
    const related = page.locator(".related-list");
    await expect.poll(() => related.textContent()).toContain("Оплата госпошлины не проходит");
    await page.goto(`/console/requests/${fresh}`);
    await expect.poll(() => page.locator(".related-list").textContent()).toContain("Не могу оплатить");
    await page.getByRole("button", { name: /^Убрать связь с обращением/ }).click();
    await page.getByText("Связанных обращений нет.").waitFor();
    expect(problems).toEqual([]);
  });
});

describe("the keyboard in the chat inbox", () => {
  it("moves between my chats with j/k, opens one with Enter and answers with r", async () => {
    configureChat(world.server.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
    await createUser(world.server.ctx.db, {
      email: "chat.keys@otklik.test",
      name: "Роман Чатов",
      role: "operator",
      password: STAFF_PASSWORD,
      department: "first_line",
    });
    const authorization = `Bearer ${await createApiToken(world.server.ctx.db, "chat.keys@otklik.test")}`;
    const applicants: ChatClient[] = [];
    for (const name of ["Вера", "Глеб"]) {
      const started = await fetch(`${world.url}/api/v1/chat/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contact: { name, email: `${name === "Вера" ? "vera" : "gleb"}@example.ru` } }),
      });
      const { token, conversationId } = (await started.json()) as { token: string; conversationId: number };
      const client = await ChatClient.open(`${world.url.replace("http", "ws")}/api/v1/chat/ws?token=${token}`);
      await client.waitFor((f) => f.t === "ready");
      client.send({ t: "msg", id: randomUUID(), text: "Нужен оператор, не могу войти" });
      await client.waitFor((f) => f.t === "state" && f.state === "queued");
      const accepted = await fetch(`${world.url}/api/v1/chat/conversations/${conversationId}/accept`, {
        method: "POST",
        headers: { authorization },
      });
      expect(accepted.status).toBe(200);
      applicants.push(client);
    }

    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "chat.keys@otklik.test", STAFF_PASSWORD);
    await page.getByRole("link", { name: "Чаты" }).click();
    await page.locator("[data-kbd-item='chat']").nth(1).waitFor();

    const focusedChat = () => page.evaluate<string | null>(`document.activeElement?.textContent ?? null`);
    await page.keyboard.press("j");
    expect(await focusedChat()).toContain("Вера");
    await page.keyboard.press("j");
    expect(await focusedChat()).toContain("Глеб");
    await expect.poll(() => live(page)).toMatch(/Чат: .*Глеб.*, 2 из 2/);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator("[data-kbd-item='chat'] [aria-current='true']").textContent())
      .toContain("Глеб");

    await page.keyboard.press("r");
    expect(await page.evaluate<string | undefined>("document.activeElement?.dataset.shortcut")).toBe("chat-reply");
    await page.keyboard.type("Здравствуйте, Глеб! Сейчас проверю вход.");
    await page.keyboard.press("Control+Enter");
    await applicants[1]!.waitFor((f) => f.t === "msg" && f.text === "Здравствуйте, Глеб! Сейчас проверю вход.");
    for (const a of applicants) a.close();
    expect(problems).toEqual([]);
  });
});
