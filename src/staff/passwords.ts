import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (m=19 MiB, t=2), the OWASP baseline; ≈50 ms here.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** The password hash of an employee the directory created: no password opens it. */
export const NO_PASSWORD = "!single-sign-on";

// Checking against a real hash costs the same time as for an account with a password.
let standIn: Promise<string> | undefined;

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (stored === NO_PASSWORD) {
    standIn ??= hash("otklik-no-password-1");
    await verify(await standIn, `${password}\u0000`).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Password rules for staff: a clear Russian reason, or null when the password is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return "Пароль должен быть не короче 10 символов.";
  if (password.length > 200) return "Пароль слишком длинный (не больше 200 символов).";
  if (!/\p{L}/u.test(password) || !/\d/.test(password)) return "Пароль должен содержать буквы и цифры.";
  return null;
}
