import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { makeKeyring } from "../security/keys.ts";
import { installKeyring } from "../security/sealed.ts";
import { contactHashOf } from "./gate.ts";
import { readUnsubscribeToken, unsubscribeToken } from "./unsubscribe.ts";

beforeAll(() => installKeyring(makeKeyring(undefined, randomBytes(32))));

describe("unsubscribe links", () => {
  it("name the medium and the contact's blind index, never the address", () => {
    const token = unsubscribeToken("email", "Olga@Example.ru");
    expect(token).not.toContain("olga");
    expect(readUnsubscribeToken(token)).toEqual({ medium: "email", hash: contactHashOf("email", "olga@example.ru") });
    expect(readUnsubscribeToken(unsubscribeToken("sms", "+79161234567"))?.medium).toBe("sms");
  });

  it("cannot be made for another contact or medium", () => {
    const token = unsubscribeToken("email", "olga@example.ru");
    const [, hash, sig] = token.split(".");
    expect(readUnsubscribeToken(`s.${hash}.${sig}`)).toBeNull();
    const other = unsubscribeToken("email", "ivan@example.ru").split(".")[1];
    expect(readUnsubscribeToken(`e.${other}.${sig}`)).toBeNull();
    expect(readUnsubscribeToken(`${token}x`)).toBeNull();
    expect(readUnsubscribeToken("")).toBeNull();
  });
});
