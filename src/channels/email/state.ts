// What the e-mail room keeps in memory per running context: the intake, the mailer, the loop limiter.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
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

// The registry keeps only the hash of a tracking token; the resolution letter needs the link again, so the
// letter that opened the request keeps the token sealed with a key derived from the server secret.
function sealKey(ctx: AppContext) {
  return createHmac("sha256", ctx.secret).update("email tracking token").digest();
}

export function sealToken(ctx: AppContext, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealKey(ctx), iv);
  const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function unsealToken(ctx: AppContext, sealed: string): string | undefined {
  try {
    const bytes = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", sealKey(ctx), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
