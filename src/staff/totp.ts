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

/** Accepts the current code and the one before or after it (clocks drift by a few seconds). */
export function checkTotp(secret: string, code: string, at = Date.now()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totpFor(secret).validate({ token: code, timestamp: at, window: 1 }) !== null;
}

export function currentTotp(secret: string, at = Date.now()): string {
  return totpFor(secret).generate({ timestamp: at });
}
