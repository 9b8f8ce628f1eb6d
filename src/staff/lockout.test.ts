// The sign-in lockout under parallel attempts: each failure is counted in the same statement that decides the lock,
// so a burst of wrong passwords cannot all slip under the threshold, and the right password is refused while locked.
// Run on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

let ip = 0;
// Each attempt from an address of its own: the per-address rate limit of the login route is another guard.
const login = (email: string, password: string) =>
  s.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress: `10.6.${Math.floor(++ip / 250)}.${ip % 250}`,
    payload: { email, password },
  });

async function failedCount(email: string): Promise<number> {
  const r = (await s.ctx.db.execute(sql`select failed_logins from users where lower(email) = ${email}`)) as unknown as {
    rows: { failed_logins: number }[];
  };
  return Number(r.rows[0]!.failed_logins);
}

describe("sign-in lockout under parallel attempts", () => {
  it("locks after five parallel failures: the rest are refused as locked, and so is the right password", async () => {
    const { email } = await s.staff("operator", { email: "race@otklik.test" });
    const burst = await Promise.all(Array.from({ length: 12 }, () => login(email, "wrong-password-1")));
    const codes = burst.map((r) => r.json().code as string);
    expect(codes.filter((c) => c === "invalid_credentials")).toHaveLength(5);
    expect(codes.filter((c) => c === "account_locked")).toHaveLength(7);
    for (const r of burst) if (r.statusCode === 429) expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    expect(await failedCount(email)).toBe(5);

    const right = await login(email, "staff-password-1");
    expect(right.statusCode, right.body).toBe(429);
    expect(right.json().code).toBe("account_locked");
  });

  it("answers an e-mail no employee has as it answers an employee's: five refusals, then locked", async () => {
    const answers = async (email: string) => {
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) codes.push((await login(email, "wrong-password-1")).json().code as string);
      return codes;
    };
    const { email } = await s.staff("operator", { email: "known.lock@otklik.test" });
    const known = await answers(email);
    expect(known).toEqual([...Array(5).fill("invalid_credentials"), "account_locked", "account_locked"]);
    expect(await answers("nobody.here@otklik.test")).toEqual(known);
    // Another spelling of the same address is the same address.
    expect((await login(" Nobody.Here@otklik.test ", "wrong-password-1")).json().code).toBe("account_locked");
    // A deactivated employee's address answers the same way as well.
    const gone = await s.staff("operator", { email: "gone.lock@otklik.test" });
    await s.ctx.db.execute(sql`update users set active = false where lower(email) = ${gone.email}`);
    expect(await answers(gone.email)).toEqual(known);
  });

  it("a burst mixing the right password with wrong ones never lets the right one in after the threshold", async () => {
    const { email } = await s.staff("operator", { email: "race-mixed@otklik.test" });
    // Four failures first: the fifth attempt of the burst is the last one checked.
    for (let i = 0; i < 4; i++) expect((await login(email, "wrong-password-1")).statusCode).toBe(401);
    const burst = await Promise.all([
      ...Array.from({ length: 6 }, () => login(email, "wrong-password-1")),
      login(email, "staff-password-1"),
    ]);
    const passed = burst.filter((r) => r.statusCode !== 429);
    // Exactly one attempt was checked; the others met the lock without their password being tried.
    expect(passed).toHaveLength(1);
    if (passed[0]!.statusCode === 200) expect(await failedCount(email)).toBe(0);
    else {
      expect(passed[0]!.json().code).toBe("invalid_credentials");
      expect((await login(email, "staff-password-1")).statusCode).toBe(429);
    }
  });

  it("the lock ends: after it the right password signs in and clears the count", async () => {
    const { email } = await s.staff("operator", { email: "race-later@otklik.test" });
    await Promise.all(Array.from({ length: 8 }, () => login(email, "wrong-password-1")));
    expect((await login(email, "staff-password-1")).statusCode).toBe(429);
    await s.ctx.db.execute(
      sql`update users set locked_until = now() - interval '1 second' where lower(email) = ${email}`,
    );
    const ok = await login(email, "staff-password-1");
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await failedCount(email)).toBe(0);
  });
});
