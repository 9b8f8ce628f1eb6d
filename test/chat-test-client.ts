// A WebSocket chat client for tests and the benchmark: collects every frame, waits for the one wanted.
import WebSocket from "ws";

export type Frame = Record<string, unknown> & { t: string };

export class ChatClient {
  readonly frames: Frame[] = [];
  private waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  onFrame: ((f: Frame) => void) | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (raw) => {
      const f = JSON.parse(raw.toString()) as Frame;
      this.frames.push(f);
      this.onFrame?.(f);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(f)) return true;
        w.resolve(f);
        return false;
      });
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new ChatClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
    });
  }

  send(frame: Record<string, unknown>) {
    this.socket.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or coming) that passes the test. */
  waitFor(test: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  messages(conversationId?: number) {
    return this.frames.filter(
      (f) => f.t === "msg" && (conversationId === undefined || f.conversationId === conversationId),
    );
  }

  close() {
    this.socket.close();
  }
}
