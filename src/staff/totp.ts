// The optional second factor: time-based one-time passwords (RFC 6238), as phone authenticator apps make them.
import { Secret, TOTP } from "otpauth";

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label = "Otklik") {
  return new TOTP({
    issuer: "Otklik",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

export function totpUri(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

/**
 * The time step a code belongs to, or null when it is wrong. Accepts the current step and the one before or after it
 * (clocks drift by a few seconds); the caller refuses a step already spent.
 */
export function totpStep(secret: string, code: string, at = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = totpFor(secret);
  const delta = totp.validate({ token: code, timestamp: at, window: 1 });
  return delta === null ? null : totp.counter({ timestamp: at }) + delta;
}

export function currentTotp(secret: string, at = Date.now()): string {
  return totpFor(secret).generate({ timestamp: at });
}
