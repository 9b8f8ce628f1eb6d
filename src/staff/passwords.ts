import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (m=19 MiB, t=2), the OWASP baseline; ≈50 ms here.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
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
