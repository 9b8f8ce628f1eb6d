// A refused frame names the field as it was sent, whatever the name (Object.prototype holds a few of them).
import { describe, expect, it } from "vitest";
import { readFrame } from "./frames.ts";

describe("readFrame", () => {
  it.each(["constructor", "toString", "__proto__", "valueOf"])("an unknown field «%s» is named as sent", (key) => {
    for (const side of ["applicant", "staff"] as const) {
      const read = readFrame(`{"t":"ping","${key}":1}`, side as "applicant");
      expect(read).toEqual({ ok: false, message: `Сообщение составлено неверно: неизвестное поле «${key}».` });
    }
  });

  it("a known field keeps its Russian name", () => {
    expect(readFrame('{"t":"sync","since":"x"}', "applicant")).toEqual({
      ok: false,
      message: "Сообщение составлено неверно: поле «номер последнего сообщения» заполнено неверно.",
    });
  });
});
