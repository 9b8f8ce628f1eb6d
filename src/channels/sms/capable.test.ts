import { describe, expect, it } from "vitest";
import { smsCapable } from "./capable.ts";

describe("smsCapable", () => {
  it("a mobile number takes texts; a Moscow landline, 8 800 and premium numbers do not", () => {
    expect(smsCapable("+79161234567")).toBe(true);
    expect(smsCapable("+74951234567")).toBe(false);
    expect(smsCapable("+78005553535")).toBe(false);
    expect(smsCapable("+78091234567")).toBe(false);
  });
});
