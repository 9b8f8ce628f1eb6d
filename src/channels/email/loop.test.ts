// A mail loop played out over real SMTP on loopback: our intake acknowledges every new request, and a
// robot answers every letter it gets. Loop protection must end the exchange after a few letters.
import nodemailer from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
// Imported as the registry will import it: from the channel's public surface.
import {
  acknowledgementMail,
  createMailer,
  decideInbound,
  type InboundDecision,
  parseMessage,
  SenderRateLimiter,
  type SmtpIntake,
  startSmtpIntake,
} from "./index.ts";

const SUPPORT = "support@gosuslugi.example";
const ROBOT = "robot@robot.example";
const valid = () => true;
const open: SmtpIntake[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function play(robotMarksItsLetters: boolean) {
  const decisions: InboundDecision[] = [];
  const pending: Promise<unknown>[] = [];
  let robotLetters = 0;
  let nextNumber = 100004;
  let ourPort = 0;

  const robot = await startSmtpIntake({
    host: "127.0.0.1",
    port: 0,
    supportAddresses: [ROBOT],
    maxSize: 1_000_000,
    store: async () => {
      robotLetters++;
      // A careless robot: a fresh subject, no threading headers, so every answer looks like a new letter.
      const robotClient = nodemailer.createTransport({
        host: "127.0.0.1",
        port: ourPort,
        secure: false,
        ignoreTLS: true,
      });
      const sending = robotClient.sendMail({
        from: ROBOT,
        to: SUPPORT,
        subject: "Ваше письмо получено",
        text: "Спасибо, ваше письмо получено.",
        ...(robotMarksItsLetters ? { headers: { "Auto-Submitted": "auto-replied" } } : {}),
      });
      pending.push(sending.finally(() => robotClient.close()));
    },
  });
  open.push(robot);

  const mailer = createMailer({
    relayUrl: `smtp://127.0.0.1:${robot.port}`,
    outboxDir: "unused",
    from: `Служба поддержки <${SUPPORT}>`,
    domain: "gosuslugi.example",
  });
  const acknowledgements = new SenderRateLimiter({ limit: 3, windowMs: 3_600_000 });
  const ours = await startSmtpIntake({
    host: "127.0.0.1",
    port: 0,
    supportAddresses: [SUPPORT],
    maxSize: 1_000_000,
    store: async (raw) => {
      const message = await parseMessage(raw, { ownAddresses: [SUPPORT] });
      const decision = await decideInbound(message, {
        domain: "gosuslugi.example",
        isValidNumber: valid,
        acknowledgements,
      });
      decisions.push(decision);
      if (decision.kind === "new" && decision.acknowledge) {
        const number = String(nextNumber++);
        const ack = acknowledgementMail(message, {
          number,
          dueAt: new Date(),
          trackingUrl: `https://s.example/t/${number}`,
        });
        pending.push(mailer.send(ack));
      }
    },
  });
  open.push(ours);
  ourPort = ours.port;

  // The robot writes first.
  await nodemailer
    .createTransport({ host: "127.0.0.1", port: ours.port, secure: false, ignoreTLS: true })
    .sendMail({ from: ROBOT, to: SUPPORT, subject: "Привет", text: "Первое письмо" });
  // Wait until nothing is in flight any more.
  for (let settled = 0; settled !== pending.length; ) {
    settled = pending.length;
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 50));
  }
  mailer.close();
  return { decisions, robotLetters };
}

describe("mail loop protection", () => {
  it("stops a careless robot after the per-sender acknowledgement limit", async () => {
    const { decisions, robotLetters } = await play(false);
    expect(robotLetters).toBe(3);
    expect(decisions.map((d) => (d.kind === "new" ? d.acknowledge : d.kind))).toEqual([true, true, true, false]);
  });

  it("never answers a robot that marks its letters", async () => {
    const { decisions, robotLetters } = await play(true);
    // The robot's first letter was unmarked (it was written «by hand»); its answer is marked and kept only.
    expect(robotLetters).toBe(1);
    expect(decisions.map((d) => d.kind)).toEqual(["new", "keep_only"]);
  });
});
