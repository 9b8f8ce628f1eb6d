// One attempt against a local receiver: the signature, the address check made at send time as well, a host name
// connected to at the address it was checked at, and an answer that never ends read no further than 64 KB.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt, EXCERPT_CHARS } from "./send.ts";

let server: http.Server;
let port = 0;
const seen: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (req.url === "/endless") {
        // An answer that never ends: the reader must stop by itself long before the time limit.
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = Buffer.alloc(16 * 1024, "я");
        const push = () => {
          if (res.destroyed) return;
          if (res.write(chunk)) setImmediate(push);
          else res.once("drain", push);
        };
        push();
        return;
      }
      res.writeHead(202, { "content-type": "text/plain" });
      res.end("accepted");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const delivery = { deliveryId: "d-1", type: "request.created", body: '{"id":"d-1","type":"request.created"}' };
const loopback = { allowLoopback: true, allowHosts: [] };

describe("one attempt", () => {
  it("posts the body signed, with the event and delivery headers", async () => {
    const a = await attempt({ url: `http://127.0.0.1:${port}/ok`, secret: "s3cret" }, delivery, loopback);
    expect(a).toMatchObject({ ok: true, status: 202, error: null, excerpt: "accepted" });
    const hit = seen.find((h) => h.path === "/ok")!;
    expect(hit.body).toBe(delivery.body);
    expect(hit.headers["x-otklik-signature"]).toBe(
      `sha256=${createHmac("sha256", "s3cret").update(delivery.body).digest("hex")}`,
    );
    expect(hit.headers["x-otklik-event"]).toBe("request.created");
    expect(hit.headers["x-otklik-delivery"]).toBe("d-1");
  });

  it("reaches a host name at the address it resolved to and was checked at", async () => {
    const a = await attempt({ url: `http://localhost:${port}/by-name`, secret: "x" }, delivery, loopback);
    expect(a.ok).toBe(true);
    expect(seen.some((h) => h.path === "/by-name")).toBe(true);
  });

  it("checks the address again at send time: loopback is refused without the flag and nothing is sent", async () => {
    const before = seen.length;
    const a = await attempt({ url: `https://localhost:${port}/x`, secret: "x" }, delivery, {
      allowLoopback: false,
      allowHosts: [],
    });
    expect(a).toMatchObject({ ok: false, status: null, error: "address_refused" });
    expect(seen.length).toBe(before);
  });

  it("reads no more than 64 KB of an answer that never ends", async () => {
    const started = Date.now();
    const a = await attempt({ url: `http://127.0.0.1:${port}/endless`, secret: "x" }, delivery, loopback);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(a).toMatchObject({ ok: true, status: 200 });
    expect(a.excerpt!.length).toBeLessThanOrEqual(EXCERPT_CHARS);
    expect(a.excerpt!.startsWith("яяя")).toBe(true);
  });
});
