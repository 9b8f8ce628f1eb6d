// What the e-mail room keeps in memory per running context, as its service (src/room.ts): the intake, the mailer,
// the loop limiter.
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

declare module "../../room.ts" {
  interface Services {
    email: EmailState;
  }
}

export function setEmailState(ctx: AppContext, state: EmailState) {
  ctx.services.provide("email", state);
}

export function emailStateOf(ctx: AppContext): EmailState {
  return ctx.services.get("email");
}

export function maybeEmailState(ctx: AppContext): EmailState | undefined {
  return ctx.services.maybe("email");
}

export function mailDomainOf(ctx: AppContext): string {
  return ctx.config.mailDomain ?? ctx.config.supportAddress.split("@")[1] ?? "otklik.local";
}
