// What the e-mail room keeps in memory per running context: the intake, the mailer, the loop limiter.
import type { AppContext } from "../../context.ts";
import type { SenderRateLimiter } from "./autoreply.ts";
import type { Mailer } from "./mailer.ts";
import type { SmtpIntake } from "./smtp-intake.ts";

export type EmailState = {
  /** Domain of our Message-IDs. */
  domain: string;
  mailer: Mailer;
  acknowledgements: SenderRateLimiter;
  intake?: SmtpIntake;
  /** Stops IMAP polling and waits for a pass in flight. */
  stopImap?: () => Promise<void>;
};

const states = new WeakMap<AppContext, EmailState>();

export function setEmailState(ctx: AppContext, state: EmailState) {
  states.set(ctx, state);
}

export function emailStateOf(ctx: AppContext): EmailState {
  const s = states.get(ctx);
  if (!s) throw new Error("email room not started");
  return s;
}

export function maybeEmailState(ctx: AppContext): EmailState | undefined {
  return states.get(ctx);
}

export function mailDomainOf(ctx: AppContext): string {
  return ctx.config.mailDomain ?? ctx.config.supportAddress.split("@")[1] ?? "otklik.local";
}
