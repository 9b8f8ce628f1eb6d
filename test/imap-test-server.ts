// A tiny IMAP server for tests: just enough of RFC 3501 for ImapFlow to log in, select a mailbox, search
// unseen letters, fetch them and set \Seen. It lets the poller be tested against the real client.
import { createServer, type Server } from "node:net";

export type TestMailbox = {
  port: number;
  /** uid → raw letter */
  messages: Map<number, Buffer>;
  seen: Set<number>;
  commands: string[];
  close(): Promise<void>;
};

export async function startTestImapServer(
  messages: Map<number, Buffer>,
  password = "secret",
  /** Refuse this many logins first, even with the right password (a mailbox failing for a while). */
  failLogins = 0,
): Promise<TestMailbox> {
  let refusals = failLogins;
  const seen = new Set<number>();
  const commands: string[] = [];
  const uids = () => [...messages.keys()].sort((a, b) => a - b);
  const server: Server = createServer((socket) => {
    socket.write("* OK [CAPABILITY IMAP4rev1 UIDPLUS] test server ready\r\n");
    let buffer = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const [tag = "*", command = "", ...args] = line.split(" ");
        const verb =
          command.toUpperCase() === "UID" ? `UID ${(args.shift() ?? "").toUpperCase()}` : command.toUpperCase();
        commands.push(verb === "LOGIN" ? "LOGIN" : `${verb} ${args.join(" ")}`.trim());
        const ok = (text = "done") => socket.write(`${tag} OK ${text}\r\n`);
        switch (verb) {
          case "CAPABILITY":
            socket.write("* CAPABILITY IMAP4rev1 UIDPLUS\r\n");
            ok();
            break;
          case "LOGIN":
            if (refusals > 0) {
              refusals--;
              socket.write(`${tag} NO [UNAVAILABLE] try again later\r\n`);
            } else if (args[1] === `"${password}"`) ok("[CAPABILITY IMAP4rev1 UIDPLUS] logged in");
            else socket.write(`${tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n`);
            break;
          case "LIST":
            socket.write('* LIST (\\HasNoChildren) "/" INBOX\r\n');
            ok();
            break;
          case "SELECT":
          case "EXAMINE": {
            const next = (uids().at(-1) ?? 0) + 1;
            socket.write(`* ${messages.size} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n`);
            socket.write(`* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT ${next}] ok\r\n`);
            ok("[READ-WRITE] selected");
            break;
          }
          case "UID SEARCH":
            socket.write(
              `* SEARCH ${uids()
                .filter((u) => !seen.has(u))
                .join(" ")}\r\n`,
            );
            ok();
            break;
          case "UID FETCH": {
            for (const uid of expand(args[0] ?? "")) {
              const raw = messages.get(uid);
              if (!raw) continue;
              const seq = uids().indexOf(uid) + 1;
              socket.write(`* ${seq} FETCH (UID ${uid} BODY[] {${raw.length}}\r\n`);
              socket.write(raw);
              socket.write(")\r\n");
            }
            ok();
            break;
          }
          case "UID STORE":
            if (/\+FLAGS/i.test(args[1] ?? "") && /\\Seen/i.test(args.slice(2).join(" "))) {
              for (const uid of expand(args[0] ?? "")) seen.add(uid);
            }
            ok();
            break;
          case "LOGOUT":
            socket.write("* BYE logging out\r\n");
            ok();
            socket.end();
            break;
          default:
            ok();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    messages,
    seen,
    commands,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// «11», «11,12», «11:13»
function expand(set: string): number[] {
  return set.split(",").flatMap((part) => {
    const [a, b] = part.split(":").map(Number);
    if (a === undefined || Number.isNaN(a)) return [];
    if (b === undefined || Number.isNaN(b)) return [a];
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}
