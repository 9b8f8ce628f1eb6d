// The chat's WebSocket client, shared by the widget and the console: every message has an id made here and is
// resent after each reconnect until the server acknowledges it (the server keeps one copy per id); after a
// reconnect each conversation resumes from the last number seen, so nothing is lost or shown twice.

export type ChatArticle = { slug: string; title: string; snippet: string };
export type ChatFile = { id: string; filename: string; contentType: string; size: number };
export type ChatLine = { number: string; title: string; hours: string; open: boolean | null };
export type ChatMessage = {
  conversationId: number;
  seq: number;
  id: string;
  author: "applicant" | "bot" | "operator" | "system";
  name: string | null;
  text: string;
  at: string;
  articles?: ChatArticle[];
  buttons?: ("helped" | "operator" | "leave")[];
  files?: ChatFile[];
  lines?: ChatLine[];
  action?: string;
};
export type Frame = { t: string; [k: string]: unknown };
/** «elsewhere»: the chat was opened in more windows than the server keeps (close 4409) and this one was let go. */
export type Status = "connecting" | "online" | "offline" | "elsewhere";

const PING_MS = 15_000;
const SILENCE_MS = 40_000;

export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function wsUrl(base: string, query: string): string {
  const origin = base || window.location.origin;
  return `${origin.replace(/^http/, "ws")}/api/v1/chat/ws${query}`;
}

type Options = {
  /** The socket address; called on each connect (the applicant's carries `since`). */
  url: () => string;
  /** Staff connections follow conversations by `sync` frames instead. */
  staff?: boolean;
  onMessage: (m: ChatMessage) => void;
  onFrame?: (f: Frame) => void;
  onStatus?: (s: Status) => void;
  onPending?: (ids: string[]) => void;
};

export class ChatConnection {
  private socket: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private lastFrameAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Unacknowledged frames by id, in sending order. */
  readonly pending = new Map<string, Frame>();
  /** Conversation → last number seen. */
  readonly positions = new Map<number, number>();

  constructor(private readonly opts: Options) {}

  start() {
    this.stopped = false;
    this.connect();
    this.timer = setInterval(() => this.heartbeat(), PING_MS);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.socket?.close();
  }

  /** Sends a message frame (it gets an id if it has none) and keeps it until acknowledged. */
  send(frame: Frame): string {
    const id = (frame.id as string | undefined) ?? newId();
    const full = { ...frame, id };
    this.pending.set(id, full);
    this.opts.onPending?.([...this.pending.keys()]);
    this.raw(full);
    return id;
  }

  /** Frames that need no acknowledgement (typing, sync). */
  raw(frame: Frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  follow(conversationId: number, since = this.positions.get(conversationId) ?? 0) {
    this.positions.set(conversationId, since);
    this.raw({ t: "sync", conversationId, since });
  }

  private connect() {
    if (this.stopped) return;
    this.opts.onStatus?.("connecting");
    const socket = new WebSocket(this.opts.url());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      this.opts.onStatus?.("online");
      if (this.opts.staff) for (const [id, since] of this.positions) this.raw({ t: "sync", conversationId: id, since });
      for (const f of this.pending.values()) this.raw(f);
    };
    socket.onmessage = (e) => {
      this.lastFrameAt = Date.now();
      let f: Frame;
      try {
        f = JSON.parse(String(e.data)) as Frame;
      } catch {
        return;
      }
      if (f.t === "msg") {
        const m = f as unknown as ChatMessage;
        const seen = this.positions.get(m.conversationId) ?? 0;
        if (m.seq <= seen) return;
        this.positions.set(m.conversationId, m.seq);
        // A message of ours that arrives back counts as acknowledged.
        if (this.pending.delete(m.id)) this.opts.onPending?.([...this.pending.keys()]);
        this.opts.onMessage(m);
        return;
      }
      if (f.t === "ack" && typeof f.id === "string") {
        this.pending.delete(f.id);
        this.opts.onPending?.([...this.pending.keys()]);
      }
      // A message the server refused for good (not a passing failure: `retry`) is not resent.
      if (f.t === "error" && typeof f.id === "string" && f.retry !== true && f.code !== "internal") {
        this.pending.delete(f.id);
        this.opts.onPending?.([...this.pending.keys()]);
      }
      this.opts.onFrame?.(f);
    };
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Let go for a newer window of the same chat: reconnecting would only put out that one in turn.
      if (e.code === 4409) {
        this.opts.onStatus?.("elsewhere");
        return;
      }
      this.opts.onStatus?.("offline");
      if (this.stopped || e.code === 4401) return;
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  private heartbeat() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    // A connection that has gone quiet (a phone leaving Wi-Fi) is replaced rather than trusted.
    if (Date.now() - this.lastFrameAt > SILENCE_MS) {
      const old = this.socket;
      this.socket = null;
      old.close();
      this.opts.onStatus?.("offline");
      this.connect();
      return;
    }
    this.raw({ t: "ping" });
  }
}
