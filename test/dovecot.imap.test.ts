// IMAP polling against a real mail server: Dovecot from Debian's packages, started here on a port of its own with a
// mailbox of one user. Letters put into the mailbox over IMAP (one in KOI8-R, one UTF-8 with an attachment) become
// requests, and are marked \Seen in Dovecot only once stored; a letter already seen is left alone.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "./harness.ts";
import { freePort } from "./process.ts";
import { letter, waitFor } from "./test-smtp.ts";

const DOVECOT = "/usr/sbin/dovecot";
const root = process.getuid?.() === 0;
const USER = "support@otklik.test";
const PASSWORD = "dovecot-secret-1";
let dir: string;
let port: number;
let dovecot: ChildProcess | undefined;
let s: TestServer | undefined;

function config() {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

async function mailbox() {
  const c = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user: USER, pass: PASSWORD },
    logger: false,
  });
  await c.connect();
  return c;
}

describe.skipIf(!existsSync(DOVECOT) || !root)("IMAP polling against Dovecot", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "otklik-dovecot-"));
    for (const d of ["run", "state", "mail", "home"]) mkdirSync(path.join(dir, d));
    chmodSync(dir, 0o755);
    for (const d of ["mail", "home"]) chmodSync(path.join(dir, d), 0o777);
    writeFileSync(path.join(dir, "users"), `${USER}:{PLAIN}${PASSWORD}\n`);
    port = await freePort();
    writeFileSync(path.join(dir, "dovecot.conf"), config());
    execFileSync(DOVECOT, ["-c", path.join(dir, "dovecot.conf"), "-n"], { stdio: "ignore" });
    dovecot = spawn(DOVECOT, ["-F", "-c", path.join(dir, "dovecot.conf")], { stdio: "ignore" });
    await waitFor(async () => {
      try {
        const c = await mailbox();
        await c.logout();
        return true;
      } catch {
        return undefined;
      }
    }, 20_000);

    const c = await mailbox();
    try {
      await c.append(
        "INBOX",
        letter({
          charset: "koi8-r",
          from: "dovecot-user@example.ru",
          subject: "Не приходит код",
          body: "Код подтверждения не приходит на телефон уже второй день.",
          messageId: "<dovecot-1@example.ru>",
        }),
      );
      await c.append(
        "INBOX",
        letter({
          from: "already-read@example.ru",
          subject: "Прочитанное письмо",
          body: "Это письмо уже прочитано в почтовом клиенте.",
          messageId: "<dovecot-2@example.ru>",
        }),
        ["\\Seen"],
      );
    } finally {
      await c.logout();
    }
    s = await createTestServer({ imapUrl: `imap://${encodeURIComponent(USER)}:${PASSWORD}@127.0.0.1:${port}/INBOX` });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    // Dovecot writes its state as it stops: remove its folder once it has.
    if (dovecot && dovecot.exitCode === null) {
      const gone = new Promise((r) => dovecot!.once("exit", r));
      dovecot.kill("SIGTERM");
      await gone;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("turns the unseen letter into a request, marks it seen, and leaves the seen one alone", async () => {
    const supervisor = await s!.staff("supervisor");
    const find = async (q: string) =>
      (
        await s!.app.inject({
          method: "GET",
          url: `/api/v1/requests?q=${encodeURIComponent(q)}`,
          headers: { authorization: supervisor.authorization },
        })
      ).json().items as { channel: string; subject: string }[];
    const items = await waitFor(async () => {
      const found = await find("dovecot-user@example.ru");
      return found.length ? found : undefined;
    }, 60_000);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: "email", subject: "Не приходит код" });
    expect(await find("already-read@example.ru")).toEqual([]);

    const c = await mailbox();
    try {
      const lock = await c.getMailboxLock("INBOX");
      try {
        const flags = new Map<string, string[]>();
        for await (const m of c.fetch("1:*", { envelope: true, flags: true })) {
          flags.set(m.envelope?.messageId ?? "", [...(m.flags ?? [])]);
        }
        expect(flags.get("<dovecot-1@example.ru>")).toContain("\\Seen");
        expect(flags.get("<dovecot-2@example.ru>")).toContain("\\Seen");
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  }, 90_000);
});
