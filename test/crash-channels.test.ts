// Kill -9 while letters arrive over SMTP and applicants chat, reopen the data folder, and count: every letter answered
// 250 is in the inbox exactly once, and every chat message acknowledged to its client is stored exactly once.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { startServer } from "../src/server.ts";
import { ChatClient } from "./chat-test-client.ts";
import { exited, freePort, startChild } from "./process.ts";
import { letter, SUPPORT, sendRaw } from "./test-smtp.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("channels under a crash", () => {
  it("keeps every letter answered 250 and every chat message acknowledged, once, after SIGKILL", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-crash-channels-"));
    dirs.push(dataDir);
    const smtpPort = await freePort();
    const child = await startChild({
      OTKLIK_DATA_DIR: dataDir,
      OTKLIK_SMTP_PORT: String(smtpPort),
      OTKLIK_SUPPORT_ADDRESS: SUPPORT,
    });
    let stop = false;
    let killed = false;
    const letters: string[] = [];
    const chats: string[] = [];

    // Letters, two senders at a time; a letter counts once the server answered 250.
    const mail = async (sender: number) => {
      for (let i = 0; !stop; i++) {
        const messageId = `<crash-${sender}-${i}-${randomUUID()}@example.ru>`;
        const from = `sender${sender}@example.ru`;
        try {
          const info = await sendRaw(
            smtpPort,
            letter({ from, subject: "Не приходит код", body: `Письмо ${i} от ${sender}`, messageId }),
            from,
          );
          if (/^250/.test(info.response)) letters.push(messageId);
        } catch {
          if (killed) return; // the server is gone
          // Refused or timed out before the crash (a busy machine): not counted, and the sender goes on.
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };

    // Applicants chatting, each message counted once its ack arrived.
    const chat = async () => {
      const res = await fetch(`${child.url}/api/v1/chat/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contact: { email: `chat-${randomUUID()}@example.ru` } }),
      });
      const { token } = (await res.json()) as { token: string };
      const client = await ChatClient.open(`${child.url.replace("http", "ws")}/api/v1/chat/ws?token=${token}`);
      // Each message waits for its answer (an ack, or a refusal past the per-applicant limit) before the next, as a
      // person's messages do: a client sending blind into a server slowed by a busy machine would be closed as a flood.
      let answered = () => {};
      client.onFrame = (f) => {
        if (f.t === "ack") chats.push(String(f.id));
        if (f.t === "ack" || f.t === "error") answered();
      };
      try {
        for (let i = 0; !stop && client.socket.readyState === client.socket.OPEN; i++) {
          const answer = new Promise<void>((resolve) => {
            answered = resolve;
            setTimeout(resolve, 2000);
          });
          client.send({ t: "msg", id: randomUUID(), text: `Сообщение ${i}: как восстановить доступ?` });
          await answer;
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        client.socket.terminate();
      }
    };

    const load = Promise.all([mail(1), mail(2), chat(), chat(), chat()]);
    const deadline = Date.now() + 60_000;
    while ((letters.length < 15 || chats.length < 40) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    killed = true;
    child.proc.kill("SIGKILL");
    await exited(child.proc);
    stop = true;
    await load;
    expect(letters.length).toBeGreaterThanOrEqual(15);
    expect(chats.length).toBeGreaterThanOrEqual(40);

    // Restart on the same folder: the letters stored before the crash are read by the next process's jobs.
    const database = await openDatabase({ dataDir });
    const config = loadConfig(
      {},
      { dataDir, smtpPort: 0, adminPassword: "child-admin-password-1", logLevel: "silent" },
    );
    const restarted = await startServer(config, { database, logger: false, listen: false });
    try {
      const { db } = restarted.ctx;
      // The killed process may have claimed a letter's job just before it died: its lease (a minute) would hold the
      // letter back that long. Let the leases run out now rather than wait.
      await db.execute(sql`update events set locked_until = null where processed_at is null`);
      for (let pass = 0; pass < 50; pass++) {
        await restarted.ctx.worker.kick();
        const [left] = rowsOf<{ n: number }>(
          await db.execute(sql`select count(*)::int as n from email_inbox where processed_at is null`),
        );
        if (Number(left!.n) === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const inbox = rowsOf<{ message_id: string; n: number }>(
        await db.execute(
          sql`select message_id, count(*)::int as n from email_inbox where message_id like '%crash-%' group by message_id`,
        ),
      );
      const stored = new Map(inbox.map((r) => [r.message_id.replace(/^<|>$/g, ""), Number(r.n)]));
      expect(letters.filter((m) => stored.get(m.replace(/^<|>$/g, "")) !== 1)).toEqual([]);

      const messages = rowsOf<{ client_id: string; n: number }>(
        await db.execute(sql`select client_id, count(*)::int as n from chat_messages group by client_id`),
      );
      const kept = new Map(messages.map((r) => [r.client_id, Number(r.n)]));
      expect(chats.filter((id) => kept.get(id) !== 1)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});
