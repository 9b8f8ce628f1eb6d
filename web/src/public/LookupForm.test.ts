import { describe, expect, it } from "vitest";
import { contactProblem, numberProblem } from "./LookupForm.tsx";

describe("the lookup form's checks", () => {
  it("takes the number in any spacing and with «№», and catches a mistyped digit", () => {
    for (const n of ["1 030 026", "1030026", "№1030026", "№ 1 030 026", " 1-030-026 "])
      expect(numberProblem(n), n).toBeNull();
    expect(numberProblem("1 030 027")).toMatch(/ошибка/);
    expect(numberProblem("")).toMatch(/Введите номер/);
    expect(numberProblem("abc")).toMatch(/из цифр/);
  });

  it("takes an e-mail or a phone in any notation", () => {
    for (const c of ["ivan@example.ru", "8 (912) 345-67-89", "+79123456789"]) expect(contactProblem(c), c).toBeNull();
    expect(contactProblem("ivan@")).toMatch(/почты/);
    expect(contactProblem("12345")).toMatch(/телефона/);
    expect(contactProblem(" ")).toMatch(/Укажите/);
  });
});
