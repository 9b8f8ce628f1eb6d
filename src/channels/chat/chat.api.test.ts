// The chat protocol with real WebSocket clients: the bot, the operator, a dropped connection, two processes.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type Frame } from "../../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { openDatabase } from "../../db/client.ts";
import { attachments, messages, requests } from "../../requests/schema.ts";
import { startServer } from "../../server.ts";
import { BOT_TEXT } from "./bot.ts";
import { chatMessages } from "./db-schema.ts";
import { configureChat } from "./settings.ts";

const WORKING_HOURS = () => new Date("2026-11-26T12:00:00+03:00");
const NIGHT = () => new Date("2026-11-26T23:30:00+03:00");
const id = () => randomUUID();

let s: TestServer;
let wsUrl: string;

beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1" });
  configureChat(s.ctx, { now: WORKING_HOURS });
  wsUrl = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
});
afterAll(() => s?.close());

async function session(server = s, contact: Record<string, string> = { name: "Анна", email: "anna@example.ru" }) {
  const r = await server.app.inject({ method: "POST", url: "/api/v1/chat/sessions", payload: { contact } });
  expect(r.statusCode).toBe(201);
  return r.json() as { token: string; conversationId: number };
}

async function applicant(token: string, since = 0, url = wsUrl) {
  const c = await ChatClient.open(`${url}?token=${token}&since=${since}`);
  await c.waitFor((f) => f.t === "ready");
  return c;
}

async function say(c: ChatClient, text: string, extra: Record<string, unknown> = {}) {
  const mid = id();
  c.send({ t: "msg", id: mid, text, ...extra });
  return (await c.waitFor((f) => f.t === "ack" && f.id === mid)).seq as number;
}

async function staffSocket(authorization: string, url = wsUrl) {
  const c = await ChatClient.open(url, { authorization });
  await c.waitFor((f) => f.t === "ready");
  return c;
}

const inject = (authorization: string, method: "GET" | "POST", url: string, payload?: unknown) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });

function seqs(frames: Frame[]) {
  return frames.map((f) => f.seq as number);
}

describe("chat: the bot first", () => {
  it("registers the request with the first message and answers from the knowledge base", async () => {
    const { token, conversationId } = await session();
    const c = await applicant(token);
    const seq = await say(c, "Не приходит смс с кодом подтверждения на телефон");
    expect(seq).toBe(1);
    const bot = await c.waitFor((f) => f.t === "msg" && f.author === "bot");
    expect(bot.text).toBe(BOT_TEXT.found);
    expect((bot.articles as { slug: string }[])[0]!.slug).toBe("sms-code-not-received");
    expect(bot.buttons).toEqual(["helped", "operator"]);
    const system = c.messages().find((f) => f.author === "system")!;
    expect(system.text).toMatch(/номером \d \d{3} \d{3}\./);
    // «Это помогло» closes the chat and resolves its request.
    c.send({ t: "msg", id: id(), text: "", action: "helped" });
    await c.waitFor((f) => f.t === "state" && f.state === "closed");
    const number = /номером ([\d ]+)\./.exec(String(system.text))![1]!.replaceAll(" ", "");
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(req).toMatchObject({ channel: "chat", status: "resolved", contactEmail: "anna@example.ru" });
    const transcript = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req!.id));
    expect(transcript.map((m) => m.authorType)).toEqual(["applicant", "bot", "applicant", "bot"]);
    expect(conversationId).toBeGreaterThan(0);
    c.close();
  });

  it("asks one clarifying question when the text is too short", async () => {
    const c = await applicant((await session()).token);
    await say(c, "пароль");
    expect((await c.waitFor((f) => f.author === "bot")).text).toBe(BOT_TEXT.clarify);
    await say(c, "забыл, не могу войти");
    const answer = await c.waitFor((f) => f.author === "bot" && f.text === BOT_TEXT.found);
    expect((answer.articles as { slug: string }[]).map((a) => a.slug)).toContain("password-recovery");
    c.close();
  });

  it("refuses a session without a way to answer, and a socket without a token", async () => {
    const r = await s.app.inject({
      method: "POST",
      url: "/api/v1/chat/sessions",
      payload: { contact: { name: "Без связи" } },
    });
    expect(r.statusCode).toBe(400);
    expect((await s.app.inject({ method: "GET", url: "/api/v1/chat/ws" })).statusCode).toBe(426);
    const c = await ChatClient.open(`${wsUrl}?token=nonexistent-token-123`);
    const code = await new Promise((resolve) => c.socket.once("close", resolve));
    expect(code).toBe(4401);
  });

  it("outside operators' hours offers to leave a request and shows lines open now", async () => {
    configureChat(s.ctx, { now: NIGHT });
    try {
      const c = await applicant((await session()).token);
      await say(c, "Не могу подписать заявление электронной подписью");
      await c.waitFor((f) => f.author === "bot");
      c.send({ t: "msg", id: id(), text: "", action: "operator" });
      const offer = await c.waitFor((f) => f.author === "bot" && String(f.text).startsWith("Операторы чата"));
      expect(offer.text).toMatch(/завтра в 9:00/);
      expect(offer.buttons).toEqual(["leave"]);
      expect(Array.isArray(offer.lines)).toBe(true);
      // The words before the lines agree with their number.
      const lines = (offer.lines as unknown[]).length;
      expect(lines).toBeGreaterThan(0);
      expect(offer.text).toMatch(
        lines === 1
          ? / Или позвоните на линию, которая работает сейчас:$/
          : / Или позвоните на одну из линий, которые работают сейчас:$/,
      );
      c.send({ t: "msg", id: id(), text: "", action: "leave" });
      await c.waitFor((f) => f.t === "state" && f.state === "left");
      // Details written afterwards join the request.
      await say(c, "Подпись выдана в 2025 году");
      c.close();
    } finally {
      configureChat(s.ctx, { now: WORKING_HOURS });
    }
  });
});

describe("chat: an employee's socket ends with their access", () => {
  // At once: well within the minute after which every socket checks again anyway.
  const closed = (c: ChatClient) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the socket was not closed within 10 s")), 10_000);
      c.socket.once("close", (code: number) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  it("closes with 4401 at once when the employee is switched off or given another role; others' go on", async () => {
    const admin = await s.staff("administrator");
    const off = await s.staff("operator");
    const moved = await s.staff("operator");
    const kept = await s.staff("operator");
    const [offSocket, movedSocket, keptSocket] = await Promise.all([
      staffSocket(off.authorization),
      staffSocket(moved.authorization),
      staffSocket(kept.authorization),
    ]);
    const offClosed = closed(offSocket);
    const movedClosed = closed(movedSocket);
    const patch = (id: number, payload: object) =>
      s.app.inject({
        method: "PATCH",
        url: `/api/v1/admin/users/${id}`,
        headers: { authorization: admin.authorization },
        payload,
      });
    expect((await patch(off.id, { active: false })).statusCode).toBe(200);
    expect((await patch(moved.id, { role: "specialist" })).statusCode).toBe(200);
    expect(await offClosed).toBe(4401);
    expect(await movedClosed).toBe(4401);
    // The one whose access did not change still talks.
    keptSocket.send({ t: "ping" });
    await keptSocket.waitFor((f) => f.t === "pong");
    expect(keptSocket.socket.readyState).toBe(keptSocket.socket.OPEN);
    keptSocket.close();
  });
});

describe("chat: operators", () => {
  it("queue, accept within the limit, typing both ways, transfer, close with a result", async () => {
    const op = await s.staff("operator");
    const op2 = await s.staff("operator");
    configureChat(s.ctx, { maxChatsPerOperator: 1 });
    const staff = await staffSocket(op.authorization);
    const a = await session(s, { name: "Пётр", phone: "+7 912 345-67-89" });
    const c = await applicant(a.token);
    await say(c, "Хочу поговорить с оператором");
    await c.waitFor((f) => f.t === "state" && f.state === "queued");
    await staff.waitFor((f) => f.t === "inbox" && f.conversationId === a.conversationId);
    const box = (await inject(op.authorization, "GET", "/chat/inbox")).json();
    expect(box.queue.map((q: { id: number }) => q.id)).toContain(a.conversationId);

    expect((await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`)).statusCode).toBe(
      200,
    );
    const joined = await c.waitFor((f) => f.t === "state" && f.state === "operator");
    expect(joined.operator).toMatch(/^operator/);
    // A second chat is over this operator's limit of one.
    const b = await session();
    const cb = await applicant(b.token);
    cb.send({ t: "msg", id: id(), text: "", action: "operator" });
    await say(cb, "нужен оператор");
    await cb.waitFor((f) => f.t === "state" && f.state === "queued");
    const refused = await inject(op.authorization, "POST", `/chat/conversations/${b.conversationId}/accept`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("chat_limit");

    // The operator sees the whole conversation and answers.
    staff.send({ t: "sync", conversationId: a.conversationId, since: 0 });
    await staff.waitFor((f) => f.t === "msg" && f.conversationId === a.conversationId && f.author === "applicant");
    const detail = (await inject(op.authorization, "GET", `/chat/conversations/${a.conversationId}`)).json();
    expect(detail.contact.phone).toBe("+7•••••6789");
    c.send({ t: "typing" });
    await staff.waitFor((f) => f.t === "typing" && f.from === "applicant");
    staff.send({ t: "typing", conversationId: a.conversationId });
    await c.waitFor((f) => f.t === "typing" && f.from === "operator");
    const mid = id();
    staff.send({ t: "msg", conversationId: a.conversationId, id: mid, text: "Здравствуйте, Пётр! Чем помочь?" });
    await staff.waitFor((f) => f.t === "ack" && f.id === mid);
    const reply = await c.waitFor((f) => f.author === "operator");
    expect(reply.name).toMatch(/^operator/);

    // Transfer to the second operator, who closes it as resolved.
    const t = await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/transfer`, {
      operatorId: op2.id,
    });
    expect(t.statusCode).toBe(200);
    await c.waitFor((f) => f.author === "system" && String(f.text).includes("передан"));
    const closed = await inject(op2.authorization, "POST", `/chat/conversations/${a.conversationId}/close`, {
      result: "resolved",
    });
    expect(closed.statusCode).toBe(200);
    await c.waitFor((f) => f.t === "state" && f.state === "closed");
    const number = detail.request.number as string;
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(req).toMatchObject({ status: "resolved", assigneeId: op2.id, channel: "chat" });
    expect(req!.firstRespondedAt).not.toBeNull();
    // After closing, the first operator is free to take the waiting chat.
    expect((await inject(op.authorization, "POST", `/chat/conversations/${b.conversationId}/accept`)).statusCode).toBe(
      200,
    );
    configureChat(s.ctx, { maxChatsPerOperator: 3 });
    for (const x of [staff, c, cb]) x.close();
  });

  it("attachments: an image is accepted by its content, a text file refused, the file joins the request", async () => {
    const a = await session();
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    const upload = async (name: string, body: Buffer, type: string) => {
      const form = new FormData();
      form.append("file", new Blob([body], { type }), name);
      return fetch(`${s.url}/api/v1/chat/files`, { method: "POST", body: form, headers: { "x-chat-token": a.token } });
    };
    const ok = await upload("screen.png", png, "image/png");
    expect(ok.status).toBe(201);
    const file = (await ok.json()) as { id: string; contentType: string };
    expect(file.contentType).toBe("image/png");
    // Refused by the chat (text is a request's attachment, not a chat's) and by the store (not a known type at all):
    // either way the refusal names what a chat takes.
    for (const [name, body] of [
      ["note.pdf", Buffer.from("просто текст")],
      ["archive.bin", Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0x10])],
    ] as const) {
      const refused = await upload(name, body, "application/octet-stream");
      expect(refused.status).toBe(415);
      expect(await refused.json()).toMatchObject({
        code: "unsupported_media_type",
        detail: `Файл «${name}» не принят: в чат можно отправить изображение (PNG, JPEG, GIF, WebP) или PDF.`,
      });
    }
    const c = await applicant(a.token);
    await say(c, "Ошибка на странице, снимок экрана приложен", { files: [file.id] });
    const mine = await c.waitFor((f) => f.author === "applicant");
    expect((mine.files as { id: string }[])[0]!.id).toBe(file.id);
    const dl = await fetch(`${s.url}/api/v1/chat/files/${file.id}?token=${a.token}`);
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${s.url}/api/v1/chat/files/${file.id}?token=${(await session()).token}`)).status).toBe(404);
    c.close();
  });

  it("an operator sends a PDF into their chat; the applicant receives and downloads it; no one else may attach", async () => {
    const op = await s.staff("operator");
    const other = await s.staff("operator");
    const staff = await staffSocket(op.authorization);
    const a = await session();
    const c = await applicant(a.token);
    await say(c, "позовите оператора");
    await c.waitFor((f) => f.t === "state" && f.state === "queued");
    const upload = (authorization: string, name: string, body: Buffer, type: string) => {
      const form = new FormData();
      form.append("file", new Blob([body], { type }), name);
      return fetch(`${s.url}/api/v1/chat/conversations/${a.conversationId}/files`, {
        method: "POST",
        body: form,
        headers: { authorization },
      });
    };
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    // Not yet accepted: the chat is nobody's, so nobody attaches to it.
    expect((await upload(op.authorization, "памятка.pdf", pdf, "application/pdf")).status).toBe(409);
    await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
    await c.waitFor((f) => f.t === "state" && f.state === "operator");

    const res = await upload(op.authorization, "памятка.pdf", pdf, "application/pdf");
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; filename: string; contentType: string };
    expect(file).toMatchObject({ filename: "памятка.pdf", contentType: "application/pdf" });
    // Another operator's chat, an executable, and no login at all are refused.
    expect((await upload(other.authorization, "x.pdf", pdf, "application/pdf")).status).toBe(409);
    const exe = await upload(op.authorization, "setup.pdf", Buffer.from("MZ\x90\x00binary"), "application/pdf");
    expect(exe.status).toBe(415);
    expect(((await exe.json()) as { code: string }).code).toBe("unsupported_media_type");
    const anonymous = await fetch(`${s.url}/api/v1/chat/conversations/${a.conversationId}/files`, {
      method: "POST",
      body: new FormData(),
    });
    expect(anonymous.status).toBe(401);

    const mid = id();
    staff.send({ t: "msg", conversationId: a.conversationId, id: mid, text: "Памятка во вложении", files: [file.id] });
    await staff.waitFor((f) => f.t === "ack" && f.id === mid);
    const got = await c.waitFor((f) => f.t === "msg" && f.author === "operator");
    expect(got.files).toEqual([expect.objectContaining({ id: file.id, filename: "памятка.pdf" })]);
    const dl = await fetch(`${s.url}/api/v1/chat/files/${file.id}?token=${a.token}`);
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer()).equals(pdf)).toBe(true);
    // The file is the request's attachment too, for the console and the tracking page.
    const [joined] = await s.ctx.db.select().from(attachments).where(eq(attachments.id, file.id));
    expect(joined).toMatchObject({ filename: "памятка.pdf", contentType: "application/pdf" });
    c.close();
    staff.close();
  });
});

describe("chat: delivery", () => {
  it("a message sent again under its id is stored once and acknowledged with its first number", async () => {
    const op = await s.staff("operator");
    const staff = await staffSocket(op.authorization);
    const a = await session();
    const c = await applicant(a.token);
    await say(c, "позовите оператора");
    await c.waitFor((f) => f.t === "state" && f.state === "queued");
    await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
    await c.waitFor((f) => f.t === "state" && f.state === "operator");
    // Sends the frame and answers the number its own (new) ack gives.
    const ackOf = async (socket: ChatClient, frame: Record<string, unknown>) => {
      const acks = () => socket.frames.filter((f) => f.t === "ack" && f.id === frame.id);
      const before = acks().length;
      socket.send(frame);
      await socket.waitFor(() => acks().length > before);
      return acks().at(-1)!.seq as number;
    };
    const mine = { t: "msg", id: id(), text: "один раз от заявителя" };
    const first = await ackOf(c, mine);
    expect(await ackOf(c, mine)).toBe(first);
    const theirs = { t: "msg", conversationId: a.conversationId, id: id(), text: "один раз от оператора" };
    const answered = await ackOf(staff, theirs);
    expect(await ackOf(staff, theirs)).toBe(answered);
    // The chat and the request's transcript hold each once.
    const detail = (await inject(op.authorization, "GET", `/chat/conversations/${a.conversationId}`)).json();
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, detail.request.number));
    const bodies = (await s.ctx.db.select().from(messages).where(eq(messages.requestId, req!.id))).map((m) => m.body);
    for (const t of [mine.text, theirs.text]) expect(bodies.filter((x) => x === t)).toHaveLength(1);
    const stored = (
      await s.ctx.db.select().from(chatMessages).where(eq(chatMessages.conversationId, a.conversationId))
    ).map((m) => m.body);
    for (const t of [mine.text, theirs.text]) expect(stored.filter((x) => x === t)).toHaveLength(1);
    staff.close();
    c.close();
  });

  it("messages sent at once on several chats go in groups: each stored once, numbered without gaps, seen once in order; a refused one fails alone", async () => {
    const op = await s.staff("operator");
    const staff = await staffSocket(op.authorization);
    const chats: { token: string; conversationId: number; c: ChatClient }[] = [];
    for (let k = 0; k < 3; k++) {
      const a = await session();
      const c = await applicant(a.token);
      await say(c, "позовите оператора");
      await c.waitFor((f) => f.t === "state" && f.state === "queued");
      await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
      staff.send({ t: "sync", conversationId: a.conversationId, since: 0 });
      await c.waitFor((f) => f.t === "state" && f.state === "operator");
      chats.push({ ...a, c });
    }
    // The third chat is closed: its applicant's message is refused while the others' go through.
    await inject(op.authorization, "POST", `/chat/conversations/${chats[2]!.conversationId}/close`, {
      result: "resolved",
    });
    await chats[2]!.c.waitFor((f) => f.t === "state" && f.state === "closed");
    const refusedId = id();
    chats[2]!.c.send({ t: "msg", id: refusedId, text: "после закрытия" });
    // Each socket's own message ids, to wait for their acknowledgements on that socket.
    const sent = new Map<ChatClient, string[]>([[staff, []], ...chats.map((x) => [x.c, []] as [ChatClient, string[]])]);
    for (let n = 0; n < 10; n++) {
      for (const { c, conversationId } of chats.slice(0, 2)) {
        const mine = id();
        const theirs = id();
        sent.get(c)!.push(mine);
        sent.get(staff)!.push(theirs);
        c.send({ t: "msg", id: mine, text: `заявитель ${n}` });
        staff.send({ t: "msg", conversationId, id: theirs, text: `оператор ${n}` });
      }
    }
    const refusal = await chats[2]!.c.waitFor((f) => f.t === "error" && f.id === refusedId);
    expect(refusal.code).toBe("chat_closed");
    for (const [socket, ids] of sent) {
      await socket.waitFor(() => ids.every((m) => socket.frames.some((f) => f.t === "ack" && f.id === m)), 30_000);
    }
    for (const { c, conversationId } of chats.slice(0, 2)) {
      const stored = await s.ctx.db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId));
      const numbers = stored.map((r) => r.seq).sort((x, y) => x - y);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
      const last = numbers.at(-1)!;
      // Both sides see every message once, in order, up to the last one.
      for (const side of [c, staff]) {
        await side.waitFor(
          () => side.messages().some((f) => f.conversationId === conversationId && f.seq === last),
          30_000,
        );
        const seen = seqs(side.messages().filter((f) => f.conversationId === conversationId));
        expect(seen).toEqual([...new Set(seen)].sort((x, y) => x - y));
        expect(seen.at(-1)).toBe(last);
      }
      const bodies = stored.map((r) => r.body);
      for (let n = 0; n < 10; n++) {
        expect(bodies.filter((b) => b === `заявитель ${n}`)).toHaveLength(1);
        expect(bodies.filter((b) => b === `оператор ${n}`)).toHaveLength(1);
      }
    }
    staff.close();
    for (const x of chats) x.c.close();
  });

  it("a line too long for a notification is read back: every message arrives once, in order, as a later read shows it", async () => {
    const op = await s.staff("operator");
    const staff = await staffSocket(op.authorization);
    const a = await session();
    const c = await applicant(a.token);
    await say(c, "позовите оператора");
    await c.waitFor((f) => f.t === "state" && f.state === "queued");
    await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
    staff.send({ t: "sync", conversationId: a.conversationId, since: 0 });
    await c.waitFor((f) => f.t === "state" && f.state === "operator");
    // 4,000 Cyrillic letters are 8,000 bytes: past PostgreSQL's NOTIFY limit, so that one is announced by ids only.
    const texts = ["короткое до", "ж".repeat(4000), "короткое после", "ещё одно"];
    for (const text of texts) c.send({ t: "msg", id: id(), text });
    const operatorFrames = () =>
      staff.messages().filter((f) => f.conversationId === a.conversationId && texts.includes(String(f.text)));
    await staff.waitFor(() => operatorFrames().length >= texts.length);
    const got = operatorFrames();
    expect(got.map((f) => f.text)).toEqual(texts);
    expect(seqs(got)).toEqual([...seqs(got)].sort((x, y) => x - y));
    // The operator's answer reaches the applicant with the operator's first name, from the notification.
    const mid = id();
    staff.send({ t: "msg", conversationId: a.conversationId, id: mid, text: "Ответ оператора" });
    const pushed = await c.waitFor((f) => f.t === "msg" && f.id === mid);
    // A client connecting afterwards reads the same frames back from the database.
    const later = await applicant(a.token, 0);
    await later.waitFor((f) => f.t === "msg" && f.id === mid);
    expect(later.messages().find((f) => f.id === mid)).toEqual(pushed);
    for (const f of got) expect(later.messages().find((x) => x.seq === f.seq)).toEqual(f);
    staff.close();
    c.close();
    later.close();
  });

  it("a dropped connection loses nothing and doubles nothing: resend by id, resume from the last number", async () => {
    const op = await s.staff("operator");
    const staff = await staffSocket(op.authorization);
    const a = await session();
    let c = await applicant(a.token);
    await say(c, "позовите оператора");
    await c.waitFor((f) => f.t === "state" && f.state === "queued");
    await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
    staff.send({ t: "sync", conversationId: a.conversationId, since: 0 });
    await c.waitFor((f) => f.t === "state" && f.state === "operator");

    // Three messages; the connection dies right after the third is sent, before its ack can be read.
    const ids = [id(), id(), id()];
    await say(c, "первое");
    c.send({ t: "msg", id: ids[1], text: "второе" });
    c.send({ t: "msg", id: ids[2], text: "третье" });
    c.socket.terminate();
    const lastSeen = Math.max(...seqs(c.messages()));
    // While the applicant is away, the operator writes twice.
    for (const text of ["Ответ один", "Ответ два"]) {
      const mid = id();
      staff.send({ t: "msg", conversationId: a.conversationId, id: mid, text });
      await staff.waitFor((f) => f.t === "ack" && f.id === mid);
    }
    // The client reconnects from its last number and resends whatever was not acknowledged.
    c = await applicant(a.token, lastSeen);
    for (const [i, text] of [
      [1, "второе"],
      [2, "третье"],
    ] as const) {
      c.send({ t: "msg", id: ids[i], text });
      await c.waitFor((f) => f.t === "ack" && f.id === ids[i]);
    }
    // The ack answers at once; the message itself comes back through the database's notification, a little later.
    for (const text of ["второе", "третье", "Ответ один", "Ответ два"]) await c.waitFor((f) => f.text === text);
    // Everything after lastSeen arrived exactly once, in order, without gaps.
    const got = seqs(c.messages());
    expect(got).toEqual([...new Set(got)]);
    expect(got).toEqual(got.slice().sort((x, y) => x - y));
    expect(got[0]).toBe(lastSeen + 1);
    expect(got.at(-1)! - got[0]! + 1).toBe(got.length);
    const texts = c.messages().map((f) => f.text);
    for (const t of ["второе", "третье", "Ответ один", "Ответ два"])
      expect(texts.filter((x) => x === t)).toHaveLength(1);
    // The operator saw each applicant message once.
    const opTexts = staff.messages(a.conversationId).map((f) => f.text);
    for (const t of ["первое", "второе", "третье"]) expect(opTexts.filter((x) => x === t)).toHaveLength(1);
    // And the request's transcript holds each once too.
    const detail = (await inject(op.authorization, "GET", `/chat/conversations/${a.conversationId}`)).json();
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, detail.request.number));
    const bodies = (await s.ctx.db.select().from(messages).where(eq(messages.requestId, req!.id))).map((m) => m.body);
    for (const t of ["второе", "третье"]) expect(bodies.filter((x) => x === t)).toHaveLength(1);
    staff.close();
    c.close();
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "two server processes on one PostgreSQL deliver to each other's clients",
    async () => {
      const database = await openDatabase({
        databaseUrl: process.env.TEST_DATABASE_URL,
        schemaName: s.ctx.database.schemaName,
        poolSize: 3,
      });
      const second = await startServer({ ...s.ctx.config, port: 0 }, { database, logger: false });
      try {
        configureChat(second.ctx, { now: WORKING_HOURS });
        const url2 = `${second.url.replace("http", "ws")}/api/v1/chat/ws`;
        const op = await s.staff("operator");
        // The applicant is on the second process, the operator on the first.
        const a = await session();
        const c = await applicant(a.token, 0, url2);
        const staff = await staffSocket(op.authorization);
        await say(c, "соедините с оператором");
        await staff.waitFor((f) => f.t === "inbox" && f.conversationId === a.conversationId);
        await inject(op.authorization, "POST", `/chat/conversations/${a.conversationId}/accept`);
        await c.waitFor((f) => f.t === "state" && f.state === "operator");
        staff.send({ t: "sync", conversationId: a.conversationId, since: 0 });
        const mid = id();
        staff.send({ t: "msg", conversationId: a.conversationId, id: mid, text: "Я на первом процессе" });
        await c.waitFor((f) => f.author === "operator" && f.text === "Я на первом процессе");
        await say(c, "А я на втором");
        await staff.waitFor((f) => f.author === "applicant" && f.text === "А я на втором");
        c.send({ t: "typing" });
        await staff.waitFor((f) => f.t === "typing" && f.conversationId === a.conversationId);
        // A second tab of the same applicant on the first process sees the same numbers.
        const tab = await applicant(a.token, 0);
        await tab.waitFor((f) => f.text === "А я на втором");
        expect(seqs(tab.messages())).toEqual(seqs(c.messages()).filter((n) => n <= Math.max(...seqs(tab.messages()))));
        for (const x of [c, staff, tab]) x.close();
      } finally {
        await second.close();
      }
    },
  );
});

describe("chat: heartbeats", () => {
  it("a client that stops answering pings is dropped; one that answers stays", async () => {
    configureChat(s.ctx, { heartbeatMs: 150 });
    try {
      const { token } = await session();
      const { default: WebSocket } = await import("ws");
      const silent = new WebSocket(`${wsUrl}?token=${token}`, { autoPong: false });
      const alive = await applicant(token);
      const code = await new Promise((resolve) => silent.once("close", resolve));
      expect(code).toBe(1006); // terminated without a closing handshake
      expect(alive.socket.readyState).toBe(1);
      alive.close();
    } finally {
      configureChat(s.ctx, { heartbeatMs: 25_000 });
    }
  });
});
