import { describe, expect, it } from "vitest";
import { analyseNumber, dialFromAbroad } from "./phone.ts";

const codes = (text: string) => analyseNumber(text).problems.map((p) => p.code);

describe("reading numbers as people write them", () => {
  it("accepts the seed's spellings, U+2011 hyphens included", () => {
    expect(analyseNumber("8‑800‑555‑35‑35")).toMatchObject({
      e164: "+78005553535",
      tollFree: true,
      geographic: false,
    });
    expect(analyseNumber("8 800 555‑35‑35").e164).toBe("+78005553535");
    expect(analyseNumber("+7 (495) 777‑77‑77")).toMatchObject({
      e164: "+74957777777",
      areaCode: "495",
      geographic: true,
    });
    expect(analyseNumber("+7 4162 55‑66‑77")).toMatchObject({ e164: "+74162556677", areaCode: "416" });
    expect(analyseNumber("8\u00a0495\u00a0777-00-00").e164).toBe("+74957770000");
    expect(codes("+7 495 777‑77‑77")).toEqual([]);
  });
  it("accepts the narrow no-break space (U+202F) the seed itself puts between digit groups", () => {
    expect(analyseNumber("8\u202f800\u202f555\u201135\u201135")).toMatchObject({ e164: "+78005553535", problems: [] });
    expect(analyseNumber("+7\u202f495\u202f777\u201177\u201177")).toMatchObject({ e164: "+74957777777", problems: [] });
    expect(analyseNumber("8\u202f800\u202f555\u202f35\u202f35").e164).toBe("+78005553535");
  });
  it("rejects a number with too few digits (the seed's Dagestan line)", () => {
    const info = analyseNumber("+7 872 33‑44‑55");
    expect(info.e164).toBeUndefined();
    expect(codes("+7 872 33‑44‑55")).toEqual(["number_invalid"]);
    expect(info.problems[0]?.message).toMatch(/9 цифр вместо 10/);
  });
  it("rejects a number with too many digits", () => {
    expect(codes("+7 495 777‑77‑777")).toEqual(["number_invalid"]);
  });
  it("rejects letters and stray signs", () => {
    expect(codes("8-800-FLOWERS")).toEqual(["number_bad_characters"]);
    expect(codes("8-800-555-35-35 доб. 1")).toEqual(["number_bad_characters"]);
    expect(codes("8+800-555-35-35")).toEqual(["number_bad_characters"]);
    expect(codes("")).toEqual(["number_bad_characters"]);
  });
  it("warns about a space that replaces a hyphen (the seed's Belgorod line)", () => {
    expect(codes("+7 4722 77‑88 99")).toEqual(["number_format"]);
    expect(analyseNumber("+7 4722 77‑88 99").e164).toBe("+74722778899");
  });
  it("warns about a toll-free number written as if it could be dialled from abroad", () => {
    expect(codes("+7 (800) 555‑55‑55")).toEqual(["tollfree_international_format"]);
  });
  it("accepts valid foreign numbers and says they are not Russian", () => {
    expect(analyseNumber("+44 20 7946 0958")).toMatchObject({ e164: "+442079460958", russian: false });
  });
});

describe("dialling from abroad", () => {
  it("gives the exit prefixes 00 and 011 before 7", () => {
    const text = dialFromAbroad("+74957777777");
    expect(text).toContain("00 7 495 777-77-77");
    expect(text).toContain("011 7 495 777-77-77");
  });
});
