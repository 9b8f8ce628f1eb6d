import { describe, expect, it } from "vitest";
import { findIdentifiers, maskIdentifiersInText } from "./find-identifiers.ts";
import {
  formatSnils,
  maskIdentifier,
  validateIdentifier,
  validateInn,
  validateOgrn,
  validateOgrnip,
  validateSnils,
} from "./identifiers.ts";

// The algorithms are written out again here, independently of the module, to build valid numbers.
const sumW = (d: string, w: number[]) => w.reduce((s, x, i) => s + x * Number(d[i]), 0);
const inn10 = (body9: string) => body9 + ((sumW(body9, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
function inn12(body10: string): string {
  const a = body10 + ((sumW(body10, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
  return a + ((sumW(a, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
}
const ogrn = (body12: string) => body12 + String((BigInt(body12) % 11n) % 10n);
const ogrnip = (body14: string) => body14 + String((BigInt(body14) % 13n) % 10n);
function snils(body9: string): string {
  const s = sumW(body9, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  const c = s < 100 ? s : s === 100 || s === 101 ? 0 : s % 101 === 100 ? 0 : s % 101;
  return body9 + String(c).padStart(2, "0");
}

// A deterministic stream of digit strings (no Math.random: a failure must reproduce).
function* bodies(length: number, count: number, seed: number): Generator<string> {
  let x = seed;
  for (let n = 0; n < count; n++) {
    let s = "";
    for (let i = 0; i < length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      s += String(Math.floor((x / 2147483648) * 10));
    }
    yield s;
  }
}

// Every single-digit change of a valid number, one position at a time.
function* flips(valid: string): Generator<string> {
  for (let i = 0; i < valid.length; i++) {
    const d = Number(valid[i]);
    yield valid.slice(0, i) + String((d + 1 + (i % 9)) % 10) + valid.slice(i + 1);
  }
}

describe("ИНН", () => {
  it("accepts real-format legal-entity and personal numbers, rejects every one-digit change", () => {
    let caught = 0;
    let flipped = 0;
    for (const body of bodies(9, 200, 7)) {
      const v = inn10(`7${body.slice(1)}`);
      expect(validateInn(v)).toEqual({ valid: true, kind: "inn_legal", normalized: v });
      for (const f of flips(v)) {
        flipped++;
        if (!validateInn(f).valid) caught++;
      }
    }
    for (const body of bodies(10, 200, 11)) {
      const v = inn12(`5${body.slice(1)}`);
      expect(validateInn(v)).toEqual({ valid: true, kind: "inn_person", normalized: v });
      for (const f of flips(v)) {
        flipped++;
        if (!validateInn(f).valid) caught++;
      }
    }
    // A weighted mod-11 sum folded to one digit misses a few changes by construction; nearly all are caught.
    expect(caught / flipped).toBeGreaterThan(0.88);
  });

  it("catches a change of the check digit itself, always", () => {
    for (const body of bodies(9, 100, 3)) {
      const v = inn10(body);
      const wrong = v.slice(0, 9) + String((Number(v[9]) + 1) % 10);
      expect(validateInn(wrong)).toMatchObject({ valid: false, error: "identifier.bad_checksum" });
    }
  });

  it("accepts spaces and hyphens as people write them", () => {
    expect(validateInn("7707 083 893")).toEqual({ valid: true, kind: "inn_legal", normalized: "7707083893" });
    expect(validateInn("7707-083-893").valid).toBe(true);
    expect(validateInn(" 500100732259 ").valid).toBe(true);
  });

  it("names the error by a stable code", () => {
    expect(validateInn("")).toMatchObject({ valid: false, error: "identifier.empty" });
    expect(validateInn("77070838X3")).toMatchObject({ valid: false, error: "identifier.bad_characters" });
    expect(validateInn("770708389")).toMatchObject({
      valid: false,
      kind: null,
      error: "identifier.bad_length",
    });
    expect(validateInn("0000000000")).toMatchObject({ valid: false, error: "identifier.all_zeros" });
    expect(validateInn("7707083894")).toMatchObject({
      valid: false,
      kind: "inn_legal",
      error: "identifier.bad_checksum",
    });
  });
});

describe("ОГРН and ОГРНИП", () => {
  it("accepts valid numbers, rejects changed ones", () => {
    for (const body of bodies(11, 200, 5)) {
      const v = ogrn(`1${body}`);
      expect(validateOgrn(v)).toEqual({ valid: true, kind: "ogrn", normalized: v });
      const last = v.slice(0, 12) + String((Number(v[12]) + 3) % 10);
      expect(validateOgrn(last)).toMatchObject({ valid: false, error: "identifier.bad_checksum" });
    }
    for (const body of bodies(13, 200, 9)) {
      const v = ogrnip(`3${body}`);
      expect(validateOgrnip(v)).toEqual({ valid: true, kind: "ogrnip", normalized: v });
      const last = v.slice(0, 14) + String((Number(v[14]) + 7) % 10);
      expect(validateOgrnip(last)).toMatchObject({ valid: false, error: "identifier.bad_checksum" });
    }
  });

  it("knows real published numbers", () => {
    expect(validateOgrn("1027700132195").valid).toBe(true); // Sberbank
    expect(validateOgrn("1027700132196").valid).toBe(false);
    expect(validateOgrnip("304500116000157").valid).toBe(true);
  });

  it("rejects the wrong first digit and the wrong length", () => {
    expect(validateOgrn(ogrn("300000000001"))).toMatchObject({
      valid: false,
      error: "identifier.bad_prefix",
    });
    expect(validateOgrnip(ogrnip("10000000000001"))).toMatchObject({
      valid: false,
      error: "identifier.bad_prefix",
    });
    expect(validateOgrn("102770013219")).toMatchObject({ valid: false, error: "identifier.bad_length" });
    expect(validateOgrnip("1027700132195")).toMatchObject({ valid: false, error: "identifier.bad_length" });
  });
});

describe("СНИЛС", () => {
  it("accepts valid numbers in every written form and catches changed digits", () => {
    let caught = 0;
    let flipped = 0;
    for (const body of bodies(9, 300, 13)) {
      if (Number(body) <= 1_001_998) continue;
      const v = snils(body);
      expect(validateSnils(v)).toEqual({ valid: true, kind: "snils", normalized: v });
      expect(validateSnils(formatSnils(v)).valid).toBe(true);
      for (const f of flips(v)) {
        if (Number(f.slice(0, 9)) <= 1_001_998) continue;
        flipped++;
        // Agrees with the independent implementation above, digit change by digit change.
        expect(validateSnils(f).valid).toBe(snils(f.slice(0, 9)) === f);
        if (!validateSnils(f).valid) caught++;
      }
    }
    // Weights 9..1 move the sum by at most 81 < 101, so only the 100/101 → «00» fold lets a change through.
    expect(caught / flipped).toBeGreaterThan(0.99);
  });

  it("handles sums below 100, of exactly 100 and 101, and above 101", () => {
    // 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95: the worked example printed on pension fund pages
    expect(validateSnils("112-233-445 95").valid).toBe(true);
    expect(validateSnils("112-233-445 96").valid).toBe(false);
    const weights = [9, 8, 7, 6, 5, 4, 3, 2, 1];
    for (const target of [100, 101]) {
      const body = [...bodies(9, 20000, 21)].find((b) => sumW(b, weights) === target && Number(b) > 1_001_998);
      expect(body).toBeDefined();
      expect(validateSnils(`${body}00`).valid).toBe(true);
      expect(validateSnils(`${body}01`).valid).toBe(false);
    }
    // 9·45 = 405 → 405 mod 101 = 1
    expect(validateSnils("999-999-999 01").valid).toBe(true);
    expect(validateSnils("999-999-999 05").valid).toBe(false);
  });

  it("does not check numbers up to 001-001-998, checks from 001-001-999 on", () => {
    expect(validateSnils("001-001-998 00").valid).toBe(true);
    expect(validateSnils("001-001-998 57").valid).toBe(true);
    expect(validateSnils("000-000-001 42").valid).toBe(true);
    const v = snils("001001999");
    expect(validateSnils(v).valid).toBe(true);
    expect(validateSnils(`001001999${v.endsWith("00") ? "01" : "00"}`)).toMatchObject({
      error: "identifier.bad_checksum",
    });
  });
});

describe("validateIdentifier", () => {
  it("guesses the kind from the length", () => {
    expect(validateIdentifier(inn10("770708389")).kind).toBe("inn_legal");
    expect(validateIdentifier(inn12("5001007322")).kind).toBe("inn_person");
    expect(validateIdentifier(snils("112233445")).kind).toBe("snils");
    expect(validateIdentifier(ogrn("102770013219")).kind).toBe("ogrn");
    expect(validateIdentifier(ogrnip("30450011600015")).kind).toBe("ogrnip");
    expect(validateIdentifier("12345678901234")).toMatchObject({
      valid: false,
      kind: null,
      error: "identifier.bad_length",
    });
  });
});

describe("findIdentifiers", () => {
  it("finds labelled and unlabelled identifiers with their offsets", () => {
    const text = "ООО «Вектор», ИНН 7751891603, ОГРН 1417839918902; директор, СНИЛС 563-846-451 27.";
    const found = findIdentifiers(text);
    expect(found.map((f) => [f.kind, f.normalized, f.valid])).toEqual([
      ["inn_legal", "7751891603", true],
      ["ogrn", "1417839918902", true],
      ["snils", "56384645127", true],
    ]);
    const snilsHit = found[2];
    expect(text.slice(snilsHit?.start, snilsHit?.end)).toBe("563-846-451 27");
    expect(findIdentifiers("мой номер 509386938319, помогите")[0]).toMatchObject({
      kind: "inn_person",
      label: null,
    });
    expect(findIdentifiers("ОГРНИП 379487199738834")[0]).toMatchObject({
      kind: "ogrnip",
      label: "ogrnip",
      valid: true,
    });
    expect(findIdentifiers("ИНН7751891603")[0]).toMatchObject({ kind: "inn_legal", valid: true, start: 3 });
    expect(findIdentifiers("инн: 7751891603")[0]).toMatchObject({ kind: "inn_legal", label: "inn" });
    expect(findIdentifiers("код A7751891603")).toEqual([]);
  });

  it("reports a labelled number with a wrong checksum, ignores unlabelled noise", () => {
    expect(findIdentifiers("ИНН 7751891604")).toEqual([
      {
        kind: "inn_legal",
        label: "inn",
        normalized: "7751891604",
        valid: false,
        error: "identifier.bad_checksum",
        start: 4,
        end: 14,
      },
    ]);
    expect(findIdentifiers("инн: 77518916")[0]).toMatchObject({
      valid: false,
      error: "identifier.bad_length",
    });
    expect(findIdentifiers("заявление 2093847 от 15.03.2024, звоню на 8 800 555 35 35")).toEqual([]);
    expect(findIdentifiers("номер 7751891604 не проходит")).toEqual([]);
  });

  it("does not read a phone number as an identifier", () => {
    // 79161234567 is not a valid СНИЛС anyway; build a phone that is one to prove the guard works.
    const phoneAsSnils = [...bodies(8, 3000, 17)].map((b) => snils(`7${b}`)).find((s) => s.startsWith("79"));
    expect(phoneAsSnils).toBeDefined();
    expect(findIdentifiers(`звоните +${phoneAsSnils}`)).toEqual([]);
    expect(findIdentifiers(`СНИЛС ${phoneAsSnils}`)[0]).toMatchObject({ kind: "snils", valid: true });
  });

  it("keeps two numbers apart when they sit side by side", () => {
    const found = findIdentifiers("7751891603 1417839918902");
    expect(found.map((f) => f.kind)).toEqual(["inn_legal", "ogrn"]);
  });
});

describe("masking", () => {
  it("shows only the last four digits and keeps the separators", () => {
    expect(maskIdentifier("7751891603")).toBe("******1603");
    expect(maskIdentifier("563-846-451 27")).toBe("***-***-*51 27");
    expect(maskIdentifier("123")).toBe("123");
  });

  it("masks every identifier in a text and nothing else", () => {
    expect(maskIdentifiersInText("ИНН 7751891603, заявление 2093847")).toBe("ИНН ******1603, заявление 2093847");
  });
});
