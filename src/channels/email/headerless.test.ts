// A letter with no headers at all, end to end: its request takes its subject from what the person wrote, and the
// envelope sender's address — stored encrypted with the letter — appears in no plain column.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { freePort, SUPPORT, sendRaw, waitFor } from "../../../test/test-smtp.ts";
import { rowsOf } from "../../db/outbox.ts";
import { smtpIntakePort } from "./room.ts";

let s: TestServer;

beforeAll(async () => {
  s = await createTestServer({ smtpPort: await freePort(), supportAddress: SUPPORT });
});
afterAll(() => s?.close());

describe("a letter without headers", () => {
  it("gets no subject from the envelope, and the envelope address is stored in no plain column", async () => {
    const sender = "headerless.sender@mail.example.ru";
    const answer = await sendRaw(
      smtpIntakePort(s.ctx)!,
      Buffer.from("Здравствуйте, не могу войти в личный кабинет.\r\nПомогите, пожалуйста.\r\n"),
      sender,
    );
    expect(answer.response).toMatch(/^250/);
    const { db } = s.ctx;
    const [request] = await waitFor(async () => {
      await s.ctx.worker.kick();
      const rows = rowsOf<{ id: number; subject: string }>(
        await db.execute(sql`select id, subject from requests where channel = 'email'`),
      );
      return rows.length ? rows : undefined;
    });
    expect(request!.subject).toBe("Здравствуйте, не могу войти в личный кабинет.");
    const plain = [
      ...rowsOf<{ v: string }>(await db.execute(sql`select subject as v from requests`)),
      ...rowsOf<{ v: string }>(await db.execute(sql`select body as v from messages`)),
      ...rowsOf<{ v: string }>(await db.execute(sql`select coalesce(subject, '') as v from email_inbox`)),
    ].map((r) => r.v);
    expect(plain.length).toBeGreaterThanOrEqual(3);
    expect(plain.filter((v) => /headerless\.sender|Return-Path/i.test(v))).toEqual([]);
  });
});
