import { describe, expect, it } from "vitest";
import { formatRequestNumber, isValidRequestNumber } from "../../requests/number.ts";
import { displayRequestNumber } from "../../text/display.ts";
import {
  categoryFromSubject,
  findRequestNumber,
  findRequestNumberInText,
  formatSubject,
  isReplySubject,
  stripReplyPrefixes,
} from "./subject.ts";

describe("categoryFromSubject", () => {
  it.each([
    ["Госуслуги - Электронная подпись", "e_signature"],
    ["Госуслуги – Электронная подпись", "e_signature"],
    ["Госуслуги — Электронная подпись", "e_signature"],
    ["Госуслуги - [Электронная подпись]", "e_signature"],
    ["госуслуги-[ЭЛЕКТРОННАЯ ПОДПИСЬ]", "e_signature"],
    ["Re: Госуслуги - [Электронная подпись]", "e_signature"],
    ["RE[2]: Fwd: Госуслуги - Электронная подпись", "e_signature"],
    ["Ответ: Госуслуги: ЭЦП", "e_signature"],
    ["Fw: «Госуслуги - Электронная подпись»", "e_signature"],
    ["Госуслуги - [Электронная подпись] не могу подписать заявление", "e_signature"],
    ["[№ 12345674] Re: Госуслуги - Электронная подпись", "e_signature"],
    ["Госуслуги - Вход / Доступ / Пароль / Коды", "access"],
    ["Госуслуги - [Вход/Доступ/Пароль/Коды]", "access"],
    ["Госуслуги - Пароль", "access"],
    ["Госуслуги - Смена телефона / e-mail", "contacts"],
    ["Госуслуги - смена телефона", "contacts"],
    ["Госуслуги - Статус заявления", "application_status"],
    ["Госуслуги - Документы / Заявления", "documents"],
    ["Госуслуги - Технические проблемы / Ошибка", "technical"],
    ["Госуслуги - Ошибка", "technical"],
    ["Госуслуги - Юридические лица / ИП", "business"],
    ["Госуслуги - ИП", "business"],
    ["Госуслуги - Справка / Информация", "information"],
    ["Госуслуги - Жалоба / Отзыв", "complaint"],
    ["Госуслуги - [Жалоба]", "complaint"],
    ["Gosuslugi - e_signature", "e_signature"],
    ["Госуслуги - Учётная запись", "access"],
  ])("%s → %s", (subject, code) => {
    expect(categoryFromSubject(subject)).toBe(code);
  });

  it.each([
    "Электронная подпись",
    "Госуслуги",
    "Госуслуги - ",
    "Госуслуги - Ипотека",
    "Госуслуги - Погода на завтра",
    "Вопрос про Госуслуги - электронная подпись", // not the subject form: the portal name must lead
    "",
  ])("%s → nothing", (subject) => {
    expect(categoryFromSubject(subject)).toBeUndefined();
  });
});

describe("reply prefixes", () => {
  it("strips repeated prefixes in several languages", () => {
    expect(stripReplyPrefixes("Re: RE[2]: Fwd: FW: Ответ: Отв: Пересл: Re(3): Вопрос")).toBe("Вопрос");
    expect(stripReplyPrefixes("Research: results")).toBe("Research: results");
    expect(isReplySubject("RE: x")).toBe(true);
    expect(isReplySubject("Ответ: x")).toBe(true);
    expect(isReplySubject("Отчёт: x")).toBe(false);
  });
});

describe("request number in the subject", () => {
  const valid = (n: string) => n.endsWith("4"); // stands in for the registry's check digit

  it("writes the tag once, replacing an old one and dropping reply prefixes", () => {
    expect(formatSubject("Госуслуги - Электронная подпись", "12345674")).toBe(
      "[№ 12345674] Госуслуги - Электронная подпись",
    );
    expect(formatSubject("Re: [№ 12345674] Госуслуги - ЭП", "12345674", { reply: true })).toBe(
      "Re: [№ 12345674] Госуслуги - ЭП",
    );
    expect(formatSubject("", "12345674")).toBe("[№ 12345674] Обращение");
    expect(() => formatSubject("x", "12a45")).toThrow(RangeError);
  });

  it("reads back what formatSubject wrote", () => {
    for (const number of ["123454", "12345674", "123456789014"]) {
      expect(findRequestNumber(`Re: ${formatSubject("Госуслуги - ЭП 2025", number)}`, valid)).toBe(number);
    }
  });

  it.each([
    ["Re: [№ 12345674] Госуслуги", "12345674"],
    ["Re: [№12345674]", "12345674"],
    ["Обращение № 12345674 — ответ", "12345674"],
    ["по обращению 12345674", "12345674"],
    ["#12345674", "12345674"],
    ["No. 12345674", "12345674"],
    ["Заявка №123456784", "123456784"],
    ["Заявление 123456784", undefined],
  ])("%s → %s", (subject, number) => {
    expect(findRequestNumber(subject, valid)).toBe(number);
  });

  it.each([
    ["[№ 12345675]", "the validator refuses it"],
    ["[№ 12345]", "too short"],
    ["[№ 1234567890124]", "too long"],
    ["Звоните 88005552224", "a bare number is a phone, not a request"],
    ["№ 12 34 56 74", "groups of three only"],
  ])("%s → nothing (%s)", (subject) => {
    expect(findRequestNumber(subject, valid)).toBeUndefined();
  });

  it("reads a number from the text only when it is named as a request", () => {
    expect(findRequestNumberInText("Добрый день! По обращению № 12345674 ответа нет.", valid)).toBe("12345674");
    expect(findRequestNumberInText("Номер обращения: [№ 12345674]", valid)).toBe("12345674");
    expect(findRequestNumberInText("Мой запрос 12345674 не решён", valid)).toBe("12345674");
    expect(findRequestNumberInText("Заявление № 1234567894 висит месяц", valid)).toBeUndefined();
    expect(findRequestNumberInText("Мой телефон 89001234564", valid)).toBeUndefined();
  });

  it("reads a number written in groups, as the service's letters write it", () => {
    const number = formatRequestNumber(103_002);
    const grouped = displayRequestNumber(number);
    expect(grouped).toContain(" ");
    expect(findRequestNumberInText(`По обращению № ${grouped} ответа нет.`, isValidRequestNumber)).toBe(number);
    expect(findRequestNumber(`Обращение ${grouped.replaceAll(" ", "\u00a0")}`, isValidRequestNumber)).toBe(number);
    expect(findRequestNumberInText(`Обращение ${grouped}, 12 декабря: ответа нет.`, isValidRequestNumber)).toBe(number);
    // Groups that are not of three are not a number of ours.
    expect(findRequestNumberInText("По обращению № 12 34 567 ответа нет.", isValidRequestNumber)).toBeUndefined();
  });

  it("round-trips the registry's own numbers, and its Damm check refuses a mistyped one", () => {
    for (const sequence of [10000, 123456, 987654321]) {
      const number = formatRequestNumber(sequence);
      const subject = `Re: ${formatSubject("Госуслуги - Статус заявления", number)}`;
      expect(findRequestNumber(subject, isValidRequestNumber)).toBe(number);
      const typo = number.slice(0, -2) + String((Number(number.at(-2)) + 1) % 10) + number.at(-1);
      expect(findRequestNumber(`Обращение № ${typo}`, isValidRequestNumber)).toBeUndefined();
    }
  });

  it("takes the first valid number when several are present", () => {
    expect(findRequestNumber("[№ 11111115] [№ 22222224]", valid)).toBe("22222224");
  });
});
