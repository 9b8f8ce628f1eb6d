// E-mail intake into the real server on the embedded database: letters per second answered 250 (each one stored in
// the inbox table before the answer), over 4 SMTP connections. Usage: node --import tsx bench/email-stored.ts [N]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { openDatabase } from "../src/db/client.ts";
import { exited, freePort, startChild } from "../test/process.ts";

const N = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(path.join(os.tmpdir(), "otklik-bench-mail-"));
const smtpPort = await freePort();
const child = await startChild(
  { OTKLIK_DATA_DIR: dir, OTKLIK_SMTP_PORT: String(smtpPort), OTKLIK_EMAIL_ACK_LIMIT: "10000" },
  120_000,
);
const transports = Array.from({ length: 4 }, () =>
  nodemailer.createTransport({
    host: "127.0.0.1",
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
  }),
);
let next = 0;
let accepted = 0;
const t0 = performance.now();
await Promise.all(
  transports.map(async (t, k) => {
    while (next < N) {
      const i = next++;
      await t.sendMail({
        from: `applicant${i}@example.ru`,
        to: "support@otklik.local",
        subject: "Госуслуги - Вход",
        text: `Не приходит код подтверждения, письмо ${i} через соединение ${k}.`,
      });
      accepted++;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
for (const t of transports) t.close();
child.proc.kill("SIGTERM");
await exited(child.proc);
const database = await openDatabase({ dataDir: dir });
const stored = (
  (await database.db.execute(sql`select count(*)::int as n from email_inbox`)) as unknown as { rows: { n: number }[] }
).rows[0]!.n;
await database.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `e-mail intake on PGlite: ${accepted} letters answered 250 in ${seconds.toFixed(1)} s = ${(accepted / seconds).toFixed(0)} letters/s; ${stored} stored in the inbox`,
);
