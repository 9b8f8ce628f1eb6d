// What a backup must carry, for the round-trip tests on both engines: requests from the web form (with a file and
// replies both ways), an e-mail letter, a chat, staff accounts, API tokens, tracking links. `fill` makes them
// through the running server; `snapshot` reads back everything a restored copy must show the same way, through
// the HTTP API only.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { type Config, loadConfig } from "../src/config.ts";
import { parseDataKeys } from "../src/security/keys.ts";
import type { Running } from "../src/server.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import { ChatClient } from "./chat-test-client.ts";
import { freePort } from "./process.ts";
import { letter, SUPPORT, sendRaw, waitFor } from "./test-smtp.ts";

export const ADMIN_PASSWORD = "backup-admin-password-1";
export const STAFF_PASSWORD = "backup-staff-password-1";
// Fixed for the whole file: the copy is restored with the same keys, as an operator would.
export const KEYS = {
  OTKLIK_DATA_KEYS: `kb1:${randomBytes(32).toString("base64")}`,
  OTKLIK_INDEX_KEY: randomBytes(32).toString("base64"),
};

export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export function newDataDir(name: string) {
  return mkdtempSync(path.join(os.tmpdir(), `otklik-${name}-`));
}

/** The settings a process of the test runs with (the CLI child gets the same through its environment). */
export async function testConfig(dataDir: string, databaseUrl?: string): Promise<Config> {
  return loadConfig(
    {},
    {
      dataDir,
      databaseUrl,
      port: 0,
      host: "127.0.0.1",
      smtpPort: await freePort(),
      supportAddress: SUPPORT,
      publicRateLimit: 0,
      adminPassword: ADMIN_PASSWORD,
      publicUrl: "http://otklik.test",
      logLevel: "silent",
      dataKeys: parseDataKeys(KEYS.OTKLIK_DATA_KEYS),
      indexKey: Buffer.from(KEYS.OTKLIK_INDEX_KEY, "base64"),
    },
  );
}

export type Filled = {
  staff: { email: string; password: string }[];
  apiToken: string;
  web: { number: string; token: string; fileId: string };
  email: { number: string; raw: Buffer; from: string };
  chat: { number: string; conversationId: number };
};

const tokenOf = (trackingUrl: string) => trackingUrl.split("/").pop()!;

export async function fill(s: Running): Promise<Filled> {
  const supervisorEmail = `sup-${randomBytes(3).toString("hex")}@otklik.test`;
  await createUser(s.ctx.db, { email: supervisorEmail, name: "Старший", role: "supervisor", password: STAFF_PASSWORD });
  const operatorEmail = `op-${randomBytes(3).toString("hex")}@otklik.test`;
  await createUser(s.ctx.db, {
    email: operatorEmail,
    name: "Оператор",
    role: "operator",
    password: STAFF_PASSWORD,
    department: "first_line",
  });
  const apiToken = await createApiToken(s.ctx.db, supervisorEmail);
  const auth = { authorization: `Bearer ${apiToken}` };

  // The web form with a file, a reply from the applicant and one from staff.
  const form = new FormData();
  form.append(
    "data",
    JSON.stringify({
      text: "Не приходит СМС с кодом подтверждения, снимок экрана приложен",
      contact: { name: "Мария", email: "maria.backup@example.ru", phone: "+79001112233" },
    }),
  );
  form.append("files", new Blob([PNG], { type: "image/png" }), "screen.png");
  const created = await fetch(`${s.url}/api/v1/requests`, { method: "POST", body: form });
  expect(created.status).toBe(201);
  const { number, trackingUrl } = (await created.json()) as { number: string; trackingUrl: string };
  const token = tokenOf(trackingUrl);
  const more = await post(s, `/track/${token}/messages`, { text: "Дополню: телефон не менялся" });
  expect(more.status).toBe(200);
  const reply = await post(s, `/requests/${number}/messages`, { body: "Проверьте номер", visibility: "public" }, auth);
  expect(reply.status).toBe(200);
  const detail = (await get(s, `/requests/${number}`, auth).then((r) => r.json())) as RequestDetail;
  const fileId = detail.messages.flatMap((m) => m.attachments ?? [])[0]!.id;

  // A letter through the SMTP intake.
  const from = `ivan.${randomBytes(3).toString("hex")}@example.ru`;
  const raw = letter({
    from,
    subject: "Госуслуги - Вход",
    body: "Не могу войти в личный кабинет, пишет «неверный пароль».",
    messageId: `<backup-${randomUUID()}@mail.example.ru>`,
  });
  expect((await sendRaw(smtpPort(s), raw, from)).response).toMatch(/^250/);
  const emailNumber = await waitFor(async () => {
    const list = (await get(s, `/requests?q=${encodeURIComponent(from)}`, auth).then((r) => r.json())) as {
      items: { number: string }[];
    };
    return list.items[0]?.number;
  });

  // A chat: the applicant writes, the bot registers the request and answers.
  const session = await post(s, "/chat/sessions", { contact: { name: "Анна", email: "anna.backup@example.ru" } });
  expect(session.status).toBe(201);
  const { token: chatToken, conversationId } = (await session.json()) as { token: string; conversationId: number };
  const chat = await ChatClient.open(`${s.url.replace("http", "ws")}/api/v1/chat/ws?token=${chatToken}&since=0`);
  await chat.waitFor((f) => f.t === "ready");
  const mid = randomUUID();
  chat.send({ t: "msg", id: mid, text: "Не приходит смс с кодом подтверждения на телефон" });
  await chat.waitFor((f) => f.t === "ack" && f.id === mid);
  const system = await chat.waitFor((f) => f.t === "msg" && f.author === "system" && /номером/.test(String(f.text)));
  await chat.waitFor((f) => f.t === "msg" && f.author === "bot");
  chat.close();
  const chatNumber = /номером ([\d ]+)\./.exec(String(system.text))![1]!.replaceAll(" ", "");

  return {
    staff: [
      { email: "admin@otklik.local", password: ADMIN_PASSWORD },
      { email: supervisorEmail, password: STAFF_PASSWORD },
      { email: operatorEmail, password: STAFF_PASSWORD },
    ],
    apiToken,
    web: { number, token, fileId },
    email: { number: emailNumber, raw, from },
    chat: { number: chatNumber, conversationId },
  };
}

type RequestDetail = {
  number: string;
  status: string;
  messages: { body: string; authorType: string; attachments?: { id: string; filename: string }[] }[];
};

/** Everything the restored copy must answer the same, read through the API. */
export async function snapshot(s: Running, f: Filled) {
  const auth = { authorization: `Bearer ${f.apiToken}` };
  const list = (await get(s, "/requests?limit=100", auth).then((r) => r.json())) as {
    total: number;
    items: { number: string; status: string; channel: string }[];
  };
  const details: Record<string, unknown> = {};
  for (const { number } of list.items) {
    const d = (await get(s, `/requests/${number}`, auth).then((r) => r.json())) as RequestDetail & {
      history?: unknown;
    };
    details[number] = {
      status: d.status,
      messages: d.messages.map((m) => ({ body: m.body, author: m.authorType, files: m.attachments?.map((a) => a.id) })),
    };
  }
  const revealed = await post(s, `/requests/${f.web.number}/reveal`, { reason: "проверка копии" }, auth);
  const track = await get(s, `/track/${f.web.token}`);
  const fileByStaff = await get(s, `/requests/${f.web.number}/attachments/${f.web.fileId}`, auth);
  const fileByApplicant = await get(s, `/track/${f.web.token}/attachments/${f.web.fileId}`);
  const { inbound } = (await get(s, `/requests/${f.email.number}/emails`, auth).then((r) => r.json())) as {
    inbound: { id: number }[];
  };
  const rawLetter = await get(s, `/requests/${f.email.number}/emails/${inbound[0]?.id}/raw`, auth);
  const conversation = (await get(s, `/chat/conversations/${f.chat.conversationId}`, auth).then((r) => r.json())) as {
    messages?: { text?: string; body?: string; author?: string }[];
  };
  const trackView = (await track.json()) as { number: string; messages: { body: string }[] };
  return {
    numbers: list.items.map((r) => r.number).sort(),
    total: list.total,
    details,
    revealed: { status: revealed.status, body: await revealed.json() },
    track: { status: track.status, number: trackView.number, messages: trackView.messages.map((m) => m.body) },
    fileByStaff: { status: fileByStaff.status, bytes: Buffer.from(await fileByStaff.arrayBuffer()) },
    fileByApplicant: { status: fileByApplicant.status, bytes: Buffer.from(await fileByApplicant.arrayBuffer()) },
    letters: inbound,
    rawLetter: { status: rawLetter.status, bytes: Buffer.from(await rawLetter.arrayBuffer()) },
    conversation: JSON.stringify(conversation.messages ?? conversation),
  };
}

/** The checks made on the restored server beyond equality with the snapshot: sign-in, tokens, numbering. */
export async function checkAlive(s: Running, f: Filled, before: Awaited<ReturnType<typeof snapshot>>) {
  for (const who of f.staff) {
    const login = await post(s, "/auth/login", { email: who.email, password: who.password });
    expect(login.status, who.email).toBe(200);
    const wrong = await post(s, "/auth/login", { email: who.email, password: "not-the-password-1" });
    expect(wrong.status).toBe(401);
  }
  expect((await get(s, "/auth/me", { authorization: `Bearer ${f.apiToken}` })).status).toBe(200);
  // The request number sequence goes on past every number the copy holds.
  const next = await post(s, "/requests", { text: "Первое обращение после восстановления" });
  expect(next.status).toBe(201);
  const { number } = (await next.json()) as { number: string };
  expect(before.numbers).not.toContain(number);
  const body = (n: string) => BigInt(n.slice(0, -1));
  for (const n of before.numbers) expect(body(number) > body(n)).toBe(true);
  return number;
}

function smtpPort(s: Running): number {
  return s.ctx.config.smtpPort;
}

function get(s: Running, url: string, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/api/v1${url}`, { headers });
}

function post(s: Running, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/api/v1${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(payload),
  });
}
