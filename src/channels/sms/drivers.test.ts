import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmsGateway } from "../../../test/sms-gateway.ts";
import { loadConfig } from "../../config.ts";
import { httpGateway, logGateway, retryAfterSeconds } from "./drivers.ts";
import { SmsError } from "./port.ts";
import { gatewayFor } from "./room.ts";

let gw: Awaited<ReturnType<typeof startSmsGateway>>;
beforeAll(async () => {
  gw = await startSmsGateway({ token: "secret-1", perWindow: 2, windowMs: 60_000 });
});
afterAll(() => gw?.close());

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SmsError);
  return e as SmsError;
};

describe("the HTTP driver against the stand-in gateway", () => {
  const sms = () => httpGateway({ url: gw.url, token: "secret-1", sender: "Otklik" });

  it("sends once per idempotency key", async () => {
    const a = await sms().send({ to: "+79160000001", text: "Обращение № 1000015 решено.", key: "k-1" });
    const b = await sms().send({ to: "+79160000001", text: "Обращение № 1000015 решено.", key: "k-1" });
    expect(a.id).toBe(b.id);
    expect(gw.sent.filter((m) => m.key === "k-1")).toHaveLength(1);
    expect(gw.sent[0]).toMatchObject({ to: "+79160000001", sender: "Otklik" });
  });

  it("maps the gateway's answers: 429 with Retry-After and 5xx retryable, other 4xx final", async () => {
    gw.script({ status: 429, retryAfter: "17" });
    const limited = await refusal(sms().send({ to: "+79160000002", text: "т", key: "k-2" }));
    expect(limited).toMatchObject({ code: "rate_limited", retryable: true, retryAfter: 17 });

    gw.script({ status: 502 });
    expect(await refusal(sms().send({ to: "+79160000002", text: "т", key: "k-2" }))).toMatchObject({
      code: "provider_502",
      retryable: true,
    });

    const bad = await refusal(sms().send({ to: "12345", text: "т", key: "k-3" }));
    expect(bad).toMatchObject({ code: "rejected_invalid_number", retryable: false });

    const wrongToken = httpGateway({ url: gw.url, token: "wrong" });
    expect(await refusal(wrongToken.send({ to: "+79160000002", text: "т", key: "k-4" }))).toMatchObject({
      code: "rejected_unauthorized",
      retryable: false,
    });
  });

  it("is told to wait when past the gateway's own limit", async () => {
    await sms().send({ to: "+79160000003", text: "т", key: "k-5" });
    const past = await refusal(sms().send({ to: "+79160000003", text: "т", key: "k-6" }));
    expect(past).toMatchObject({ code: "rate_limited", retryable: true, retryAfter: 30 });
  });

  it("counts a gateway that cannot be reached as an outage", async () => {
    const down = httpGateway({ url: "http://127.0.0.1:9/v1/sms", token: "t" });
    expect(await refusal(down.send({ to: "+79160000004", text: "т", key: "k-7" }))).toMatchObject({
      code: "network",
      retryable: true,
    });
  });
});

describe("the log driver", () => {
  it("logs that an SMS went, never the number or the text", async () => {
    const lines: unknown[] = [];
    const gateway = logGateway({ info: ((o: unknown) => lines.push(o)) as never });
    await gateway.send({ to: "+79161234567", text: "Обращение № 1000015 решено.", key: "k" });
    expect(lines).toHaveLength(1);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain("79161234567");
    expect(logged).not.toContain("решено");
  });
});

describe("Retry-After", () => {
  it("takes seconds or an HTTP date, and ignores the unreadable", () => {
    expect(retryAfterSeconds("120")).toBe(120);
    expect(retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(60);
    expect(retryAfterSeconds("soon")).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});

describe("the driver the settings choose", () => {
  const base = loadConfig({}, { logLevel: "silent" });

  it("is the log driver without a gateway, the HTTP driver with one, and refuses a gateway without its token", () => {
    expect(gatewayFor(base).driver).toBe("log");
    expect(gatewayFor({ ...base, smsUrl: "https://sms.example/v1", smsToken: "t" }).driver).toBe("http");
    expect(() => gatewayFor({ ...base, smsUrl: "https://sms.example/v1" })).toThrow(/OTKLIK_SMS_TOKEN/);
  });

  it("takes a sender name a provider can register, and names the setting when it cannot", () => {
    expect(loadConfig({ OTKLIK_SMS_SENDER: "Gosuslugi" }).smsSender).toBe("Gosuslugi");
    expect(() => loadConfig({ OTKLIK_SMS_SENDER: "Госуслуги" })).toThrow(/OTKLIK_SMS_SENDER/);
  });
});
