// Phone events from the PBX, authenticated (the HMAC header or the secret in the path): random shapes and orders of
// newCall/answer/hangup over a few call ids, hostile and huge fields, long lists of users, JSON and forms with
// repeated fields; and the IVR's form posts. Any 5xx is a failure.
import { signBody } from "../../src/channels/phone/auth.ts";
import { FORM_TYPE, JSON_TYPE } from "../../src/http/bodies.ts";
import type { TestServer } from "../harness.ts";
import { anyValue, NUMBERS, type Rng, text } from "./random.ts";
import { note, show, type Tally, thrown, withTimeout } from "./target.ts";

// Objects from anyValue may lack a prototype (a «__proto__» key): String() cannot show them.
const str = (x: unknown) => (typeof x === "object" && x !== null ? JSON.stringify(x) : String(x));

function field(r: Rng): unknown {
  const k = r.int(10);
  if (k < 5) return text(r, 40);
  if (k < 7)
    return r.pick([
      "89001234567",
      "+7 (900) 123-45-67",
      "anonymous",
      "101",
      "8-800-555-35-35",
      "first_line",
      "operator@otklik.test",
    ]);
  if (k === 7) return "я".repeat(r.pick([1000, 100_000, 400_000]));
  if (k === 8) return r.pick(NUMBERS);
  return anyValue(r, 2);
}

function event(r: Rng): Record<string, unknown> {
  const e: Record<string, unknown> = {
    event: r.pick(["newCall", "answer", "hangup", "transfer", "", text(r, 10)]),
    callId: r.pick([`fuzz-${r.int(20)}`, r.int(20), 2 ** 53, -1, "", "x".repeat(300), null, text(r, 20)]),
  };
  for (const k of ["from", "to", "direction", "queue", "answeringNumber", "cause", "call_id"])
    if (r.chance(0.5)) e[k] = field(r);
  if (r.chance(0.4)) {
    e.user = r.chance(0.5)
      ? field(r)
      : Array.from({ length: r.pick([2, 50, 2000]) }, () => r.pick(["operator@otklik.test", text(r, 30)]));
  }
  if (r.chance(0.1)) e[text(r, 10)] = field(r);
  return e;
}

export async function phoneFuzz(s: TestServer, r: Rng, secret: string, until: number, tally: Tally) {
  while (Date.now() < until) {
    const e = event(r);
    const k = r.int(10);
    let url = "/api/v1/phone/events";
    let payload: string;
    const headers: Record<string, string> = {};
    if (k < 5) {
      payload = JSON.stringify(e);
      headers["content-type"] = JSON_TYPE;
      headers["x-otklik-signature"] = signBody(secret, payload);
    } else if (k < 8) {
      const form = new URLSearchParams();
      for (const [key, v] of Object.entries(e)) for (const x of Array.isArray(v) ? v : [v]) form.append(key, str(x));
      if (r.chance(0.3)) form.append("event", str(e.event));
      payload = form.toString();
      headers["content-type"] = FORM_TYPE;
      url = `/api/v1/phone/events/${secret}`;
    } else {
      const form = new URLSearchParams({
        CallSid: str(e.callId),
        From: str(field(r)),
        Digits: r.pick(["1", "2", "9", "#", text(r, 10)]),
      });
      payload = form.toString();
      headers["content-type"] = FORM_TYPE;
      url = `/api/v1/phone/ivr/${secret}?step=${r.pick(["menu", "status", "x", ""])}&attempt=${r.pick([0, 1, 11, -1, "x"])}`;
    }
    tally.cases++;
    try {
      const res = await withTimeout(s.app.inject({ method: "POST", url, payload, headers }), 30_000, url);
      if (res.statusCode >= 500) {
        tally.serverErrors++;
        note(tally, `POST ${url.replace(secret, ":secret")} → ${res.statusCode} ${show(res.body)} | ${show(payload)}`);
      }
    } catch (err) {
      thrown(tally, "phone event", err);
    }
  }
}
