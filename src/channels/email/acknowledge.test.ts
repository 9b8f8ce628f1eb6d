import { describe, expect, it } from "vitest";
import { acknowledgementMail } from "./acknowledge.ts";

describe("acknowledgementMail", () => {
  const inbound = {
    from: { name: "Иван", address: "ivan@mail.example.ru" },
    subject: "Госуслуги - Электронная подпись",
    messageId: "<q@mail.example.ru>",
    references: ["<first@mail.example.ru>"],
  };

  it("gives the number, the deadline in Moscow time and the tracking link, threaded and marked automatic", () => {
    const mail = acknowledgementMail(inbound, {
      number: "12345674",
      dueAt: new Date("2025-05-13T07:14:00Z"),
      trackingUrl: "https://support.example/t/abc",
    });
    expect(mail).toMatchObject({
      to: "ivan@mail.example.ru",
      subject: "Re: [№ 12345674] Госуслуги - Электронная подпись",
      requestNumber: "12345674",
      auto: true,
      inReplyTo: "<q@mail.example.ru>",
      references: ["<first@mail.example.ru>", "<q@mail.example.ru>"],
    });
    // As the other channels' letters write them: the number in groups, the deadline in Moscow time with its weekday.
    expect(mail.text).toContain("под номером 12 345 674.");
    expect(mail.text).toContain("Мы ответим не позже 13 мая 2025 г. в 10:14 по московскому времени (вторник).");
    expect(mail.text).toContain("https://support.example/t/abc");
  });
});
