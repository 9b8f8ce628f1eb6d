// The operator's queue in the browser: what needs action first on top, sortable headers, views with counters, filters
// that survive a reload, one change for fifty selected requests with a summary of what failed, and duplicates merged
// into one request from the bulk bar.
import { and, eq, inArray } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestHistory, requests } from "../../src/requests/schema.ts";
import { createUser } from "../../src/staff/service.ts";
import { DESKTOP, login, newContext, STAFF_PASSWORD, startWorld, type World, watch } from "./support.ts";

let world: World;
const numbers: string[] = [];
const DAY = 24 * 3600_000;

beforeAll(async () => {
  world = await startWorld();
  await createUser(world.server.ctx.db, {
    email: "lead@otklik.test",
    name: "Вера Старшая",
    role: "supervisor",
    password: STAFF_PASSWORD,
  });
  for (let i = 0; i < 60; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        fetch(`${world.url}/api/v1/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `Вопрос номер ${i + j + 1} о статусе заявления`, category: "information" }),
        }).then(async (r) => ((await r.json()) as { number: string }).number),
      ),
    );
    numbers.push(...batch);
  }
  // The oldest debt: 282 days overdue, and a call without a subject.
  await world.server.ctx.db
    .update(requests)
    .set({ firstResponseDueAt: new Date(Date.now() - 283 * DAY), resolutionDueAt: new Date(Date.now() - 282 * DAY) })
    .where(eq(requests.number, numbers[40]!));
  await world.server.ctx.db
    .update(requests)
    .set({ subject: "", firstResponseDueAt: new Date(Date.now() - DAY) })
    .where(eq(requests.number, numbers[41]!));
}, 120_000);
afterAll(async () => {
  await world?.close();
});

const rowNumbers = (page: Page) =>
  page.locator(".queue-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-number")));

describe("console: the operator's queue", () => {
  it("puts the most overdue first, sorts by a header, keeps views and filters in the address", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "lead@otklik.test", STAFF_PASSWORD);
    await page.locator(".queue-table tbody tr").first().waitFor();
    expect((await rowNumbers(page)).slice(0, 2)).toEqual([numbers[40], numbers[41]]);
    // The call without a subject shows the first words of its text.
    await page
      .locator(`tr[data-number="${numbers[41]}"] .queue-table__preview`, { hasText: "Вопрос номер 42" })
      .waitFor();

    const due = page.getByRole("columnheader", { name: /Срок/ });
    expect(await due.getAttribute("aria-sort")).toBe("ascending");
    await page.getByRole("button", { name: /Номер/ }).click();
    await page.waitForURL(/sort=created&dir=desc/);
    const number = page.getByRole("columnheader", { name: /Номер/ });
    await expect.poll(() => number.getAttribute("aria-sort")).toBe("descending");
    expect(await due.getAttribute("aria-sort")).toBe("none");
    await expect.poll(async () => (await rowNumbers(page))[0]).toBe(numbers.at(-1));

    // A view: its counter, its list, its address; a reload keeps all three.
    const overdue = page.locator('a[data-view="overdue"]');
    expect(await overdue.locator(".queue-views__count").getAttribute("data-count")).toBe("2");
    await overdue.click();
    await page.waitForURL(/overdue=1/);
    await expect.poll(async () => (await rowNumbers(page)).length).toBe(2);
    await page.reload();
    await page.locator(".queue-table tbody tr").first().waitFor();
    expect(await page.getByLabel("Только просроченные").isChecked()).toBe(true);
    expect(await page.locator('a[data-view="overdue"]').getAttribute("aria-current")).toBe("page");
    expect(await rowNumbers(page)).toEqual([numbers[40], numbers[41]]);

    // Saved as a view of one's own, it appears with its counter.
    await page.getByRole("button", { name: "Сохранить как подборку" }).click();
    await page.getByLabel("Название подборки").fill("Горит");
    await page.getByRole("button", { name: "Сохранить", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Подборка «Горит» сохранена." }).waitFor();
    await page.locator(".queue-views__link", { hasText: "Горит" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("changes fifty requests selected with a click and a shift-click, and says what failed", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "lead@otklik.test", STAFF_PASSWORD);
    await page.goto("/console?sort=created&dir=asc");
    await page.locator(".queue-table tbody tr").first().waitFor();
    const shown = (await rowNumbers(page)) as string[];
    expect(shown).toHaveLength(50);
    const boxes = page.locator(".queue-table tbody input[type=checkbox]");
    await boxes.nth(0).click();
    await boxes.nth(49).click({ modifiers: ["Shift"] });
    await page.getByText("Выбрано: 50 обращений").waitFor();

    await page.getByLabel("Действие").selectOption("priority");
    await page.getByLabel("Новое значение").selectOption("urgent");
    await page.getByRole("button", { name: "Применить" }).click();
    await page.getByText("Изменено 50 обращений.").waitFor();
    const changed = await world.server.ctx.db
      .select({ id: requests.id, priority: requests.priority })
      .from(requests)
      .where(inArray(requests.number, shown));
    expect(changed.map((r) => r.priority)).toEqual(Array(50).fill("urgent"));
    const history = await world.server.ctx.db
      .select({ requestId: requestHistory.requestId })
      .from(requestHistory)
      .where(
        inArray(
          requestHistory.requestId,
          changed.map((r) => r.id),
        ),
      );
    // Each request: its registration and one row for this change.
    expect(history).toHaveLength(100);

    // One request that cannot take the change stays as it was, and the summary names it.
    await world.server.ctx.db.update(requests).set({ status: "in_progress" }).where(eq(requests.number, shown[1]!));
    await page.getByRole("button", { name: "Закрыть" }).click();
    await page.reload();
    await page.locator(".queue-table tbody tr").first().waitFor();
    await boxes.nth(0).click();
    await boxes.nth(1).click();
    await page.getByLabel("Действие").selectOption("status");
    await page.getByLabel("Новое значение").selectOption("in_progress");
    await page.getByRole("button", { name: "Применить" }).click();
    await page.getByText("Изменено 1 обращение из 2; 1 не изменено.").waitFor();
    await page.locator(".bulk-result li").first().waitFor();
    expect(await page.locator(".bulk-result li").count()).toBe(1);
    // What failed stays selected.
    await page.getByText("Выбрано: 1 обращение").waitFor();

    // «All in this view»: the whole page first, then every request of the view, past the page.
    await page.getByRole("button", { name: "Снять выбор" }).click();
    await page.getByLabel("Выбрать все на этой странице").check();
    await page.getByText("Выбрано: 50 обращений").waitFor();
    await page.getByRole("button", { name: "Выбрать все в подборке (60)" }).click();
    await page.getByText("Выбрано: 60 обращений").waitFor();
    expect(problems).toEqual([]);
  });

  it("merges selected duplicates into one request from the bulk bar; their old numbers lead to it", async () => {
    const register = async (text: string) => {
      const res = await fetch(`${world.url}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text, category: "information", contact: { name: "Нина", email: "nina@example.ru" } }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { number: string }).number;
    };
    const target = await register("Не приходит код подтверждения при входе на портал.");
    const dups: string[] = [];
    for (const text of ["Код для входа так и не пришёл.", "Снова нет кода подтверждения.", "Третий день жду код."])
      dups.push(await register(text));
    const grouped = (n: string) => n.replace(/\B(?=(\d{3})+(?!\d))/g, " ");

    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "lead@otklik.test", STAFF_PASSWORD);
    await page.goto("/console?sort=created&dir=desc");
    await page.locator(`tr[data-number="${target}"]`).waitFor();
    // The target is selected too, as an operator picks every copy of the same question.
    for (const number of [target, ...dups])
      await page.locator(`tr[data-number="${number}"] input[type=checkbox]`).click();
    await page.getByText("Выбрано: 4 обращения").waitFor();

    await page.getByLabel("Действие").selectOption("merge");
    await page.getByLabel("Номер обращения, с которым объединить").fill(`№${grouped(target)}`);
    await page.getByRole("button", { name: "Применить" }).click();
    await page.getByText(`С обращением № ${grouped(target)} будут объединены 3 обращения.`).waitFor();
    await page.getByText("есть среди выбранных и останется как было").waitFor();
    await page.getByRole("button", { name: "Да, объединить" }).click();
    await page
      .getByText(
        `С обращением № ${grouped(target)} объединены 3 обращения. Обращение № ${grouped(target)} было среди выбранных и осталось как было: с ним объединяли остальные.`,
      )
      .waitFor();

    const db = world.server.ctx.db;
    const [into] = await db.select().from(requests).where(eq(requests.number, target));
    const merged = await db.select().from(requests).where(inArray(requests.number, dups));
    expect(merged.map((r) => [r.status, r.mergedIntoId])).toEqual(Array(3).fill(["closed", into!.id]));
    expect(into).toMatchObject({ status: "new", mergedIntoId: null });
    const rows = await db
      .select({ requestId: requestHistory.requestId })
      .from(requestHistory)
      .where(and(eq(requestHistory.action, "merged_from"), eq(requestHistory.requestId, into!.id)));
    expect(rows).toHaveLength(3);

    // An old number opens the request it went into.
    await page.goto(`/console/requests/${dups[1]}`);
    await page.getByText("объединено с этим: его номер ведёт сюда").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${target}`);
    await expect.poll(() => page.locator(".thread").textContent()).toContain("Снова нет кода подтверждения.");
    expect(problems).toEqual([]);
  });
});
