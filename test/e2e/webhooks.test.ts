// The console's webhooks page: an administrator subscribes a receiver, sees the secret once, watches a delivery
// arrive in the log, filters the log and pauses the subscription.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/staff/service.ts";
import { DESKTOP, login, newContext, openSettings, STAFF_PASSWORD, startWorld, type World, watch } from "./support.ts";

let world: World;
let receiver: http.Server;
let receiverUrl = "";
const received: string[] = [];

beforeAll(async () => {
  world = await startWorld();
  // The receiver runs on this machine: loopback addresses are allowed as in the tests of the room.
  world.server.ctx.config.webhookAllowLoopback = true;
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(String(req.headers["x-otklik-event"]));
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("принято");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/otklik`;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await world?.close();
});

describe("console: webhooks", () => {
  it("an administrator subscribes a receiver, sees a delivery in the log and pauses the subscription", async () => {
    await createUser(world.server.ctx.db, {
      email: "integrator@otklik.test",
      name: "Вера Интеграторова",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await page.addInitScript(`window.confirm = () => true;`);
    await login(page, "integrator@otklik.test", STAFF_PASSWORD);
    await openSettings(page, "Вебхуки");
    await page.getByRole("heading", { name: "Вебхуки" }).waitFor();
    await page.getByText("Подписок нет.").waitFor();

    await page.getByLabel("Адрес получателя").fill(receiverUrl);
    await page.getByRole("button", { name: "Подписать" }).click();
    const secret = (await page
      .locator("code", { hasText: /^whsec_/ })
      .first()
      .textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await page.locator("tr", { hasText: receiverUrl }).getByText("работает").waitFor();

    const submitted = await fetch(`${world.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Не открывается личный кабинет после смены пароля" }),
    });
    expect(submitted.status).toBe(201);
    // The delivery goes after commit; the log is read again until it shows the receiver's answer.
    const answered = page.getByText("HTTP 200");
    for (let i = 0; i < 40 && !(await answered.isVisible()); i++) {
      await page.getByRole("button", { name: "Обновить" }).click();
      await page.waitForTimeout(250);
    }
    await answered.waitFor();
    await page.getByText("принято").waitFor();
    expect(received).toEqual(["request.created"]);

    await page.getByLabel("Состояние").selectOption("failed");
    await page.getByText("Доставок нет.").waitFor();
    await page.getByLabel("Состояние").selectOption("delivered");
    await page.getByText("обращение зарегистрировано").last().waitFor();

    await page.getByRole("button", { name: "Приостановить" }).click();
    await page.getByText("Подписка приостановлена.").waitFor();
    await page.locator("tr", { hasText: receiverUrl }).getByText("приостановлена").waitFor();
    expect(problems).toEqual([]);
  });
});
