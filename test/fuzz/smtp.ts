// SMTP dialogues against the intake on its own port: random sequences of commands (in and out of order, with hostile
// addresses, long lines, NUL, 8-bit) and random letters (headerless, broken MIME, deep multipart, binary). Refusals
// (5xx) are SMTP's ordinary answers; a 451 «failure storing» means the store failed on a letter, a server error. A
// session that gets no greeting, or no answer to a command, is one too.
import { connect, type Socket } from "node:net";
import { SUPPORT } from "../test-smtp.ts";
import { type Rng, text } from "./random.ts";
import { note, show, type Tally, thrown } from "./target.ts";

function address(r: Rng): string {
  return r.pick([
    "anna@example.ru",
    SUPPORT,
    `${text(r, 20).replace(/\s/g, "")}@example.ru`,
    "",
    "a\u0000b@example.ru",
    `${"x".repeat(300)}@example.ru`,
    "<>",
    "@",
    "user@[127.0.0.1]",
    "пользователь@пример.рф",
    "a@b@c",
  ]);
}

function letter(r: Rng): string {
  const header = () =>
    `${r.pick(["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type", "Content-Transfer-Encoding", "Date", text(r, 10)])}: ${text(r, 80)}`;
  const k = r.int(6);
  if (k === 0) return text(r, 500);
  if (k === 1) return `${text(r, 200)}\r\n\r\n${text(r, 200)}`;
  if (k === 2) {
    const depth = r.pick([3, 50, 400]);
    let body = "глубоко";
    for (let i = 0; i < depth; i++)
      body = `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n${body}\r\n--b${i}--`;
    return `From: a@example.ru\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n${body}`;
  }
  if (k === 3) {
    return [
      `From: ${r.pick(["=?utf-8?B?0JDQvdC90LA=?= <anna@example.ru>", text(r, 40), "<>"])}`,
      `Subject: ${r.pick(["=?koi8-r?B?8NLJ18XU?=", "=?x-unknown?Q?abc?=", text(r, 100)])}`,
      `Content-Type: ${r.pick(["text/plain; charset=windows-1251", "text/html", "multipart/alternative; boundary=", 'application/pdf; name="a\u0000.pdf"'])}`,
      `Content-Transfer-Encoding: ${r.pick(["base64", "quoted-printable", "8bit", "x-uue"])}`,
      "",
      r.pick(["!!!не base64!!!", "=D0=9F=D1=80=D0=B8", text(r, 300), "\u0000\u0001\u0002"]),
    ].join("\r\n");
  }
  return [...Array.from({ length: r.int(8) }, header), "", text(r, 400)].join("\r\n");
}

function command(r: Rng): string {
  const k = r.int(16);
  if (k < 2) return `${r.pick(["EHLO", "HELO"])} ${r.pick(["fuzz.example", "", text(r, 30), "x".repeat(600)])}`;
  if (k < 5)
    return `MAIL FROM:<${address(r)}>${r.pick(["", " SIZE=100", " SIZE=999999999999", " BODY=8BITMIME", ` ${text(r, 20)}`])}`;
  if (k < 8) return `RCPT TO:<${address(r)}>`;
  if (k < 10) return "DATA";
  if (k === 10)
    return r.pick(["RSET", "NOOP", "VRFY anna", "EXPN list", "HELP", "STARTTLS", "AUTH PLAIN AGZvbwBiYXI="]);
  if (k === 11) return r.pick(["BDAT 10 LAST", "mail from:<a@b.c>", "MAIL FROM:", "RCPT TO:", "QUIT"]);
  if (k === 12) return "A".repeat(r.pick([600, 5000, 70_000]));
  return text(r, 100).replace(/\r|\n/g, " ");
}

/** One dialogue; resolves with the answers received. */
function dialogue(port: number, r: Rng, tally: Tally): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let answers = "";
    let waiting: (() => void) | undefined;
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer in 10 s after: ${show(answers.slice(-200))}`));
    });
    socket.on("data", (d) => {
      answers += d.toString("latin1");
      waiting?.();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      waiting?.();
      resolve(answers);
    });
    const answered = (count: number) =>
      new Promise<void>((res) => {
        const check = () => {
          if ((answers.match(/^\d{3} /gm)?.length ?? 0) >= count || socket.destroyed) {
            waiting = undefined;
            res();
          } else waiting = check;
        };
        check();
      });
    (async () => {
      let expected = 1;
      await answered(expected);
      if (!answers.startsWith("220")) throw new Error(`greeting: ${show(answers)}`);
      for (let i = 3 + r.int(10); i > 0 && !socket.destroyed; i--) {
        const c = command(r);
        tally.cases++;
        socket.write(`${c}\r\n`);
        await answered(++expected);
        if (c === "DATA" && /\n354 [^\n]*\r?\n?$/.test(answers)) {
          socket.write(`${letter(r).replace(/\r\n\.\r\n/g, "\r\n..\r\n")}\r\n.\r\n`);
          await answered(++expected);
        }
      }
      socket.end("QUIT\r\n");
    })().catch((e) => {
      socket.destroy();
      reject(e);
    });
  });
}

export async function smtpFuzz(port: number, r: Rng, until: number, tally: Tally) {
  while (Date.now() < until) {
    try {
      const answers = await dialogue(port, r, tally);
      const failures = answers.match(/^451 4\.3\.0[^\r\n]*/gm) ?? [];
      if (failures.length) {
        tally.serverErrors += failures.length;
        note(tally, `SMTP: ${failures[0]} | ${show(answers.slice(-300))}`);
      }
    } catch (e) {
      thrown(tally, "SMTP dialogue", e);
    }
  }
}
