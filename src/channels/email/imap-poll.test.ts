// No IMAP server is installed here. The real ImapFlow client is run against a tiny IMAP server written
// for the tests (imap-test-server.ts); the finer flow (order, failures) against a fake with its shape.
import { describe, expect, it } from "vitest";
import { startTestImapServer } from "../../../test/imap-test-server.ts";
import { type ImapClient, pollImap, startImapPolling } from "./imap-poll.ts";
import { parseMessage } from "./parse.ts";

class FakeMailbox implements ImapClient {
  readonly log: string[] = [];
  readonly seen = new Set<number>();
  constructor(readonly messages: Map<number, Buffer>) {}
  async connect() {
    this.log.push("connect");
  }
  async getMailboxLock(path: string) {
    this.log.push(`lock ${path}`);
    return { release: () => this.log.push("release") };
  }
  async search(query: { seen: boolean }) {
    return [...this.messages.keys()].filter((uid) => this.seen.has(uid) === query.seen);
  }
  async fetchOne(uid: string) {
    this.log.push(`fetch ${uid}`);
    const source = this.messages.get(Number(uid));
    return source ? { source } : false;
  }
  async messageFlagsAdd(uid: string, flags: string[]) {
    this.log.push(`flag ${uid} ${flags.join(",")}`);
    if (flags.includes("\\Seen")) this.seen.add(Number(uid));
    return true;
  }
  async logout() {
    this.log.push("logout");
  }
}

const base = { host: "imap.example", port: 993, user: "support", pass: "secret" };
const letters = () =>
  new Map([
    [11, Buffer.from("a")],
    [12, Buffer.from("b")],
    [13, Buffer.from("c")],
  ]);

describe("pollImap with ImapFlow over a socket", () => {
  it("fetches unseen letters byte-exact with PEEK, stores them, then sets \\Seen", async () => {
    const letter = Buffer.concat([
      Buffer.from(
        "From: a@mail.example.ru\r\nSubject: =?utf-8?B?0J/QsNGA0L7Qu9GM?=\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n",
      ),
      Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x0d, 0x0a]), // «Привет» in KOI8-R
    ]);
    const box = await startTestImapServer(
      new Map([
        [11, letter],
        [12, Buffer.from("From: b@mail.example.ru\r\n\r\nhi\r\n")],
      ]),
    );
    const stored: Buffer[] = [];
    const options = { host: "127.0.0.1", port: box.port, user: "support", pass: "secret", secure: false };
    try {
      expect(await pollImap({ ...options, store: async (raw) => void stored.push(raw) })).toEqual({
        found: 2,
        stored: 2,
        failed: 0,
      });
      expect(stored[0]?.equals(letter)).toBe(true);
      expect((await parseMessage(stored[0] as Buffer)).text).toBe("Привет");
      expect([...box.seen]).toEqual([11, 12]);
      const flow = box.commands.filter((c) => /^UID (FETCH|STORE)/.test(c));
      expect(flow).toEqual([
        "UID FETCH 11 (BODY.PEEK[] UID)",
        "UID STORE 11 +FLAGS (\\Seen)",
        "UID FETCH 12 (BODY.PEEK[] UID)",
        "UID STORE 12 +FLAGS (\\Seen)",
      ]);
      expect(await pollImap({ ...options, store: async () => {} })).toEqual({ found: 0, stored: 0, failed: 0 });
    } finally {
      await box.close();
    }
  });

  it("rejects on wrong credentials", async () => {
    const box = await startTestImapServer(new Map());
    try {
      await expect(
        pollImap({
          host: "127.0.0.1",
          port: box.port,
          user: "support",
          pass: "wrong",
          secure: false,
          store: async () => {},
        }),
      ).rejects.toMatchObject({ authenticationFailed: true });
    } finally {
      await box.close();
    }
  });
});

describe("pollImap", () => {
  it("reports an unreachable server as a rejected pass, without crashing the process", async () => {
    const { createServer } = await import("node:net");
    // A port that accepts and hangs up at once: the nearest thing to a broken IMAP server we can run here.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await expect(
      pollImap({ host: "127.0.0.1", port, user: "u", pass: "p", secure: false, store: async () => {} }),
    ).rejects.toBeDefined();
    server.close();
  });

  it("stores every unseen letter, then marks it seen, and releases the mailbox", async () => {
    const client = new FakeMailbox(letters());
    const stored: string[] = [];
    const result = await pollImap({
      ...base,
      client,
      store: async (raw) => void stored.push(raw.toString()),
    });
    expect(result).toEqual({ found: 3, stored: 3, failed: 0 });
    expect(stored).toEqual(["a", "b", "c"]);
    expect(client.log).toEqual([
      "connect",
      "lock INBOX",
      "fetch 11",
      "flag 11 \\Seen",
      "fetch 12",
      "flag 12 \\Seen",
      "fetch 13",
      "flag 13 \\Seen",
      "release",
      "logout",
    ]);
    expect(await pollImap({ ...base, client, store: async () => {} })).toEqual({
      found: 0,
      stored: 0,
      failed: 0,
    });
  });

  it("leaves a letter unseen when store() fails, so the next pass takes it again", async () => {
    const client = new FakeMailbox(letters());
    let attempt = 0;
    const store = async (raw: Buffer) => {
      if (raw.toString() === "b" && attempt++ === 0) throw new Error("database down");
    };
    expect(await pollImap({ ...base, client, mailbox: "Support", store })).toEqual({
      found: 3,
      stored: 2,
      failed: 1,
    });
    expect([...client.seen].sort()).toEqual([11, 13]);
    expect(client.log).toContain("lock Support");
    expect(await pollImap({ ...base, client, store })).toEqual({ found: 1, stored: 1, failed: 0 });
    expect(client.seen.size).toBe(3);
  });

  it("takes at most batchSize letters per pass", async () => {
    const client = new FakeMailbox(letters());
    expect(await pollImap({ ...base, client, batchSize: 2, store: async () => {} })).toEqual({
      found: 3,
      stored: 2,
      failed: 0,
    });
  });

  it("releases the lock and logs out when the server fails mid-pass", async () => {
    const client = new FakeMailbox(letters());
    client.fetchOne = async () => {
      throw new Error("connection reset");
    };
    await expect(pollImap({ ...base, client, store: async () => {} })).rejects.toThrow("connection reset");
    expect(client.log.slice(-2)).toEqual(["release", "logout"]);
  });

  it("polls even when nobody listens for the results (a server started without onResult)", async () => {
    const client = new FakeMailbox(letters());
    const stored: string[] = [];
    const stop = startImapPolling({
      ...base,
      client,
      intervalMs: 60_000,
      store: async (raw) => void stored.push(raw.toString()),
    });
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(client.log[0]).toBe("connect");
    expect(stored).toEqual(["a", "b", "c"]);
  });

  it("reports a failed pass as its Error and retries it after retryMs, not after the interval", async () => {
    const client = new FakeMailbox(letters());
    let down = true;
    const connect = client.connect.bind(client);
    client.connect = async () => {
      if (down) {
        down = false;
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      }
      await connect();
    };
    const results: [unknown, number][] = [];
    const stop = startImapPolling({
      ...base,
      client,
      intervalMs: 60_000,
      retryMs: 50,
      store: async () => {},
      onResult: (r, next) => results.push([r, next]),
    });
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(results[0]?.[0]).toMatchObject({ code: "ECONNREFUSED" });
    expect(results[0]?.[1]).toBe(50);
    expect(results[1]).toEqual([{ found: 3, stored: 3, failed: 0 }, 60_000]);
    expect(results).toHaveLength(2);
  });

  it("reports a letter that could not be stored and takes it again after retryMs", async () => {
    const client = new FakeMailbox(letters());
    let attempt = 0;
    const errors: [number, string][] = [];
    const results: unknown[] = [];
    const stop = startImapPolling({
      ...base,
      client,
      intervalMs: 60_000,
      retryMs: 50,
      store: async (raw) => {
        if (raw.toString() === "b" && attempt++ === 0) throw Object.assign(new Error("db down"), { code: "57P01" });
      },
      onLetterError: (uid, e) => errors.push([uid, (e as Error & { code: string }).code]),
      onResult: (r) => results.push(r),
    });
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(errors).toEqual([[12, "57P01"]]);
    expect(results).toEqual([
      { found: 3, stored: 2, failed: 1 },
      { found: 1, stored: 1, failed: 0 },
    ]);
    expect(client.seen.size).toBe(3);
  });

  it("stop() waits for a pass in flight", async () => {
    const client = new FakeMailbox(letters());
    const stop = startImapPolling({
      ...base,
      client,
      intervalMs: 60_000,
      store: () => new Promise((r) => setTimeout(r, 50)),
    });
    await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(client.log.at(-1)).toBe("logout");
  });

  it("polls on an interval without overlapping passes", async () => {
    const client = new FakeMailbox(letters());
    const results: unknown[] = [];
    const stop = startImapPolling({
      ...base,
      client,
      intervalMs: 20,
      store: () => new Promise((r) => setTimeout(r, 30)),
      onResult: (r) => results.push(r),
    });
    await new Promise((r) => setTimeout(r, 200));
    await stop(); // waits for a pass in flight
    expect(results[0]).toEqual({ found: 3, stored: 3, failed: 0 });
    expect(client.log.filter((l) => l === "connect").length).toBe(client.log.filter((l) => l === "logout").length);
    // Passes never interleave: each connect is followed by its own logout before the next connect.
    const order = client.log.filter((l) => l === "connect" || l === "logout");
    expect(order.every((l, i) => l === (i % 2 === 0 ? "connect" : "logout"))).toBe(true);
  });
});
