import { describe, expect, it } from "vitest";
import {
  blindIndexWith,
  DataKeyError,
  decodeKey,
  decryptValue,
  encryptValue,
  isEncrypted,
  makeKeyring,
  nameWords,
  newKey,
  parseDataKeys,
} from "./keys.ts";

const k1 = newKey();
const k2 = newKey();

describe("OTKLIK_DATA_KEYS", () => {
  it("reads named keys, the first being current", () => {
    const keys = parseDataKeys(`k2:${k2}, k1:${k1}`);
    expect(keys.map((k) => k.id)).toEqual(["k2", "k1"]);
    expect(keys[0]!.key.length).toBe(32);
    const ring = makeKeyring(keys, undefined);
    expect(ring.current.id).toBe("k2");
    expect(ring.development).toBe(false);
  });

  it("refuses a short key, a bad name, the reserved name and a name given twice", () => {
    expect(() => parseDataKeys("k1:c2hvcnQ=")).toThrow(/32 байт/);
    expect(() => parseDataKeys(`ключ:${k1}`)).toThrow(/имя/);
    expect(() => parseDataKeys(`dev:${k1}`)).toThrow(/разработки/);
    expect(() => parseDataKeys(`k1:${k1},k1:${k2}`)).toThrow(/дважды/);
    expect(() => parseDataKeys(" , ")).toThrow(/хотя бы один/);
    expect(decodeKey("ab".repeat(32)).length).toBe(32);
  });

  it("without keys uses the development key and says so", () => {
    const ring = makeKeyring(undefined, undefined);
    expect(ring.development).toBe(true);
    expect(ring.current.id).toBe("dev");
  });
});

describe("sealing a value", () => {
  const ring = makeKeyring(parseDataKeys(`k1:${k1}`), undefined);

  it("round-trips, differs each time, and shows nothing of the value", () => {
    const a = encryptValue(ring, "+79123456789", "requests.contact_phone");
    const b = encryptValue(ring, "+79123456789", "requests.contact_phone");
    expect(a).not.toBe(b);
    expect(a.startsWith("v1:k1:")).toBe(true);
    expect(a).not.toContain("9123456789");
    expect(isEncrypted(a)).toBe(true);
    expect(decryptValue(ring, a, "requests.contact_phone")).toBe("+79123456789");
    expect(decryptValue(ring, "Мария Иванова", "requests.contact_name")).toBe("Мария Иванова");
  });

  it("refuses a value moved to another column or altered", () => {
    const a = encryptValue(ring, "ivan@example.ru", "requests.contact_email");
    expect(() => decryptValue(ring, a, "chat_conversations.contact_email")).toThrow(DataKeyError);
    const parts = a.split(":");
    parts[4] = Buffer.from("someone@else.ru").toString("base64");
    try {
      decryptValue(ring, parts.join(":"), "requests.contact_email");
      expect.unreachable();
    } catch (e) {
      expect((e as DataKeyError).code).toBe("data_ciphertext_invalid");
    }
  });

  it("names the missing key with a stable code", () => {
    const a = encryptValue(ring, "ivan@example.ru", "requests.contact_email");
    const other = makeKeyring(parseDataKeys(`k2:${k2}`), undefined);
    try {
      decryptValue(other, a, "requests.contact_email");
      expect.unreachable();
    } catch (e) {
      expect((e as DataKeyError).code).toBe("data_key_missing");
      expect((e as Error).message).toContain("«k1»");
      expect((e as Error).message).not.toContain("ivan");
    }
  });
});

describe("blind index", () => {
  const key = Buffer.alloc(32, 7);
  it("matches the same address in any case and the same phone however written, and nothing else", () => {
    expect(blindIndexWith(key, "email", " Ivan@Example.RU ")).toBe(blindIndexWith(key, "email", "ivan@example.ru"));
    expect(blindIndexWith(key, "phone", "+7 912 345-67-89")).toBe(blindIndexWith(key, "phone", "+79123456789"));
    expect(blindIndexWith(key, "identifier", "112-233-445 95")).toBe(blindIndexWith(key, "identifier", "11223344595"));
    expect(blindIndexWith(key, "email", "ivan@example.ru")).not.toBe(blindIndexWith(key, "email", "ivan@example.com"));
    expect(blindIndexWith(key, "email", "x")).not.toBe(blindIndexWith(key, "identifier", "x"));
    expect(blindIndexWith(key, "email", "ivan@example.ru")).not.toBe(
      blindIndexWith(Buffer.alloc(32, 8), "email", "ivan@example.ru"),
    );
  });

  it("indexes a name word by word: any case, «ё» as «е», any order, each word once", () => {
    expect(nameWords(" Семёнов  Пётр-Иван ")).toEqual(["семенов", "петр", "иван"]);
    expect(nameWords("Анна Анна")).toEqual(["анна"]);
    expect(nameWords("— …")).toEqual([]);
    const full = blindIndexWith(key, "name", "Семёнов Пётр");
    expect(full).toBe(blindIndexWith(key, "name", "петр СЕМЕНОВ"));
    const words = full.split(" ");
    expect(words).toHaveLength(2);
    expect(words).toContain(blindIndexWith(key, "name", "Семенов"));
    expect(words).toContain(blindIndexWith(key, "name", "ПЁТР"));
    expect(words).not.toContain(blindIndexWith(key, "name", "Петров"));
    // A word of a name is not the same index as the same text as an e-mail or identifier.
    expect(blindIndexWith(key, "name", "ivan")).not.toBe(blindIndexWith(key, "identifier", "ivan"));
    expect(blindIndexWith(key, "name", "— …")).toBe("");
  });
});
