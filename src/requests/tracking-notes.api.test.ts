// Internal notes are not even hinted at on the applicant's side: the tracking page's live stream carries no event
// for them (with or without a file), and the page's «updated» time does not move with them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1" });
});
afterAll(() => s?.close());

type Heard = { event: string; data: Record<string, unknown> };

/** Reads the tracking page's stream as a browser would, collecting every event after «ready». */
async function listen(token: string) {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/v1/track/${token}/events`, { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const heard: Heard[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const reading = (async () => {
    const reader = res.body!.getReader();
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
        for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === "ready") ready();
          else if (event) heard.push({ event, data: data ? JSON.parse(data) : {} });
        }
      }
    } catch {
      // aborted
    }
  })();
  await isReady;
  return {
    heard,
    async stop() {
      controller.abort();
      await reading;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 400));

describe("the tracking page and internal notes", () => {
  it("hears answers and status changes, never a note", async () => {
    const op = await s.staff("supervisor");
    const created = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не приходит код из смс при входе" },
    });
    const { number, trackingUrl } = created.json() as { number: string; trackingUrl: string };
    const token = trackingUrl.split("/").at(-1)!;
    const before = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    const stream = await listen(token);
    const url = `/api/v1/requests/${number}/messages`;
    const headers = { authorization: op.authorization };

    // A note, then a note with a file (another path through the request core).
    await s.app.inject({
      method: "POST",
      url,
      headers,
      payload: { body: "Проверить журнал шлюза", visibility: "note" },
    });
    const form = new FormData();
    form.append("body", "Выгрузка журнала шлюза");
    form.append("visibility", "note");
    form.append("files", new Blob(["строка журнала"], { type: "text/plain" }), "journal.txt");
    const withFile = await s.app.inject({ method: "POST", url, headers, payload: form as never });
    expect(withFile.statusCode, withFile.body).toBe(200);
    await settle();
    expect(stream.heard).toEqual([]);

    const after = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    expect(after.updatedAt).toBe(before.updatedAt);
    expect(after.messages).toHaveLength(1);
    expect(JSON.stringify(after)).not.toMatch(/журнал/i);

    // What the applicant does see is heard, and moves the time.
    await s.app.inject({
      method: "POST",
      url,
      headers,
      payload: { body: "Отправили код повторно.", visibility: "public" },
    });
    await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${number}/status`,
      headers,
      payload: { status: "resolved" },
    });
    await settle();
    await stream.stop();
    expect(stream.heard.map((h) => h.data.topic)).toEqual(["request.replied", "request.status_changed"]);
    expect(stream.heard.every((h) => h.event === "update" && h.data.number === number)).toBe(true);
    const answered = (await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json();
    expect(new Date(answered.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect(answered.messages).toHaveLength(2);
  });
});
