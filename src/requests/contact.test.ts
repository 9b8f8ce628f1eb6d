import { describe, expect, it } from "vitest";
import { maskEmail, maskPhone, normalizeContact, normalizePhone } from "./contact.ts";

describe("contact normalisation", () => {
  it("reads Russian phone numbers in every common form", () => {
    for (const s of ["8 (912) 345-67-89", "+7 912 345 67 89", "79123456789", "8‑912‑345‑67‑89", "+7(912)3456789"]) {
      expect(normalizePhone(s), s).toBe("+79123456789");
    }
    expect(normalizePhone("8 800 555-35-35")).toBe("+78005553535");
  });

  it("refuses numbers with too few digits", () => {
    expect(normalizePhone("+7 872 33-44-55")).toBeNull();
    expect(normalizePhone("12345")).toBeNull();
    expect(() => normalizeContact({ phone: "12-34" })).toThrowError(/телефон/);
  });

  it("validates e-mail and keeps empty fields out", () => {
    expect(normalizeContact({ name: "  Иван ", email: " ivan@example.ru ", phone: "" })).toEqual({
      name: "Иван",
      email: "ivan@example.ru",
    });
    expect(() => normalizeContact({ email: "ivan@" })).toThrowError(/почты/);
  });

  it("masks contacts for lists", () => {
    expect(maskPhone("+79123456789")).toBe("+7•••••6789");
    expect(maskEmail("ivan@example.ru")).toBe("i•••@example.ru");
  });
});
