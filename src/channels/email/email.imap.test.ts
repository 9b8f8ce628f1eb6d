// IMAP polling wired into the registry: a letter waiting in an existing mailbox takes the same path as one
// received over SMTP (stored, then processed), and is marked \Seen only once stored. The mailbox refuses the
// first login, as a mailbox that is down for a while does: the failed pass is logged (codes only) and
// retried after 5 s.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { startTestImapServer, type TestMailbox } from "../../../test/imap-test-server.ts";
import { letter, waitFor } from "../../../test/test-smtp.ts";
import { emailInbox } from "./db-schema.ts";

let s: TestServer | undefined;
let mailbox: TestMailbox | undefined;
const logLines: Record<string, unknown>[] = [];
const rawLog: string[] = [];
afterAll(async () => {
  vi.restoreAllMocks();
  await s?.close();
  await mailbox?.close();
});

const from = "imap-user@example.ru";

beforeAll(async () => {
  mailbox = await startTestImapServer(
    new Map([
      [
        7,
        letter({
          charset: "koi8-r",
          from,
          subject: "Госуслуги - Жалоба",
          body: "Оператор не перезвонил, как обещал.",
          messageId: "<imap-1@example.ru>",
        }),
      ],
    ]),
    "secret",
    1,
  );
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const line = String(chunk);
    if (line.includes('"name":"email"')) {
      rawLog.push(line);
      logLines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write);
  s = await createTestServer({
    imapUrl: `imap://support%40otklik.test:secret@127.0.0.1:${mailbox.port}/INBOX`,
    logLevel: "info",
  });
});

it("turns an unseen letter of the polled mailbox into a request, after a failed pass logged and retried", {
  timeout: 60_000,
}, async () => {
  const supervisor = await s!.staff("supervisor");
  const items = await waitFor(async () => {
    const res = await s!.app.inject({
      method: "GET",
      url: `/api/v1/requests?q=${encodeURIComponent(from)}`,
      headers: { authorization: supervisor.authorization },
    });
    return res.json().items.length ? res.json().items : undefined;
  }, 45_000).catch(async (e) => {
    // Say where the letter got stuck: never fetched, stored but not processed, or processed into something else.
    const rows = await s!.ctx.db
      .select({ outcome: emailInbox.outcome, attempts: emailInbox.attempts, lastError: emailInbox.lastError })
      .from(emailInbox);
    throw new Error(
      `${(e as Error).message}; IMAP commands: ${mailbox!.commands.join(", ")}; inbox: ${JSON.stringify(rows)}; log: ${rawLog.join("")}`,
    );
  });
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ channel: "email", category: "complaint" });
  // The login as the URL gave it (percent-decoded), refused once, then accepted.
  expect(mailbox!.commands.filter((c) => c === "LOGIN")).toHaveLength(2);
  expect(logLines[0]).toMatchObject({
    level: 50,
    name: "email",
    msg: "IMAP: pass failed",
    code: "UNAVAILABLE",
    retryInSeconds: 5,
  });
  await waitFor(async () => (logLines.length >= 2 ? true : undefined), 5_000);
  expect(logLines[1]).toMatchObject({
    level: 30,
    msg: "IMAP: letters stored",
    found: 1,
    stored: 1,
    failed: 0,
  });
  expect(mailbox!.seen.has(7)).toBe(true);
  // No login, password or anything of the letter in the log.
  for (const secret of ["support", "secret", "imap-user", "Жалоба"]) expect(rawLog.join("")).not.toContain(secret);
});
