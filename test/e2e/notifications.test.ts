// The pages behind the links in notifications, on a phone: the unsubscribe page asks before it stops anything, and an
// SMS's short link lands on the request's tracking page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shortLink } from "../../src/notifications/short-links.ts";
import { unsubscribeToken } from "../../src/notifications/unsubscribe.ts";
import { requestRowByNumber } from "../../src/requests/queries.ts";
import { newContext, PHONE, startWorld, type World, watch } from "./support.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const api = (path: string, init?: RequestInit) => fetch(`${world.url}/api/v1${path}`, init);

describe("links in notifications", () => {
  it("the unsubscribe link opens a page that says what stays and stops the rest only when asked", async () => {
    const email = "reads.on.phone@example.ru";
    const token = unsubscribeToken("email", email);
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    await page.goto(`/unsubscribe/${token}`);
    await page.getByRole("heading", { name: "Отказ от уведомлений" }).waitFor();
    expect(await page.getByText("только письма о регистрации обращения и о его решении").count()).toBe(1);
    // Opening the page stopped nothing.
    expect(await (await api(`/notifications/unsubscribe/${token}`)).json()).toMatchObject({ unsubscribed: false });

    await page.getByRole("button", { name: "Отказаться от остальных уведомлений" }).click();
    await page.getByRole("status").getByText("Готово").waitFor();
    expect(await (await api(`/notifications/unsubscribe/${token}`)).json()).toMatchObject({ unsubscribed: true });

    await page.goto(`/unsubscribe/${token.slice(0, -1)}x`);
    await page.getByRole("alert").getByText("Ссылка для отказа от уведомлений повреждена").waitFor();
    expect(problems.filter((p) => !/40\d/.test(p))).toEqual([]);
  });

  it("a short link from an SMS lands on the request's tracking page", async () => {
    const res = await api("/requests", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Не приходит СМС с кодом", contact: { phone: "+79123456799" } }),
    });
    const { number, trackingUrl } = (await res.json()) as { number: string; trackingUrl: string };
    const row = await requestRowByNumber(world.server.ctx.db, number);
    const link = await world.server.ctx.db.transaction((tx) => shortLink(world.server.ctx, tx, row!.id));

    const page = await (await newContext(world, PHONE)).newPage();
    await page.goto(new URL(link).pathname);
    await page.waitForURL((u) => u.pathname === new URL(trackingUrl).pathname);
    await page
      .getByRole("heading", { name: /Обращение/ })
      .first()
      .waitFor();

    await page.goto("/s/abcdefghijk");
    await page.getByRole("heading", { name: "Ссылка не открывается" }).waitFor();
  });
});
