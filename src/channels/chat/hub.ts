// The connected clients of this process. A committed message is announced (chat.message) with the message itself when
// it fits in a NOTIFY, by ids otherwise; every process hears it and pushes it, in order, to its own clients of that
// conversation — from the notification, or from one read of the conversation's new messages when it carried ids only or
// a client is behind. A client's position (the last number it was sent) makes pushes gap-free and never doubled,
// whichever of a catch-up read and a live push comes first. The reads of many conversations waiting at once (a
// thousand clients connecting, each asking for what it missed) go to the database as one statement per turn.

import { sql } from "drizzle-orm";
import type { WebSocket } from "ws";
import type { AppContext } from "../../context.ts";
import { isDatabaseUnavailable } from "../../db/outage.ts";
import type { EventMessage } from "../../db/outbox.ts";
import { EVENTS_CHANNEL_SQL } from "../../db/outbox.ts";
import { after, contain } from "../../guard.ts";
import type { StaffUser } from "../../staff/service.ts";
import { WindowLimiter } from "../../window-limiter.ts";
import { MAX_SOCKETS_PER_SESSION, MESSAGE_WINDOW_MS } from "./limits.ts";
import { firstName } from "./operator.ts";
import {
  type ConversationState,
  conversationStates,
  MESSAGE_TOPIC,
  type MessageWithName,
  messageOfNotice,
  messagesSinceMany,
  STATE_TOPIC,
} from "./store.ts";

export const TYPING_TOPIC = "chat.typing";

export type Client = {
  socket: WebSocket;
  /** The applicant's conversation, or null for an employee's connection. */
  conversationId: number | null;
  staff: StaffUser | null;
  /** Conversation → the last number sent to this client. */
  positions: Map<number, number>;
};

type Feed = {
  clients: Set<Client>;
  /** A read of this conversation is waiting for its turn or under way. */
  running: boolean;
  again: boolean;
  retry?: NodeJS.Timeout | undefined;
};

type StateRow = ConversationState & { operatorName: string | null };

/** The conversations one catch-up statement reads at most. */
const READ_BATCH = 200;
/** The messages of one conversation one read returns at most (more: it reads again). */
const READ_LIMIT = 500;

export class ChatHub {
  readonly clients = new Set<Client>();
  /** Messages per conversation and per employee in this process (limits.ts), shared by all their sockets. */
  readonly messages = new WindowLimiter(MESSAGE_WINDOW_MS);
  /** The applicant's sockets of each conversation in this process, oldest first. */
  private sessions = new Map<number, Client[]>();
  private feeds = new Map<number, Feed>();
  /** Conversations whose read waits for the next turn of the event loop. */
  private wanted = new Set<number>();
  private scheduled = false;
  /** Conversations asked for (a handshake's state, an employee's sync) in this turn, read together at its end. */
  private asked = new Map<number, { resolve: (c: StateRow | undefined) => void; reject: (e: unknown) => void }[]>();
  private unsubscribe: () => void;
  private unresume: () => void;

  constructor(private readonly ctx: AppContext) {
    this.unsubscribe = ctx.bus.subscribe((e) => this.onEvent(e));
    // Messages committed while the bus was not listening (a lost database) were never announced: read them now.
    this.unresume = ctx.bus.onResume(() => {
      for (const id of this.feeds.keys()) this.pump(id);
    });
  }

  /**
   * Adds a connected client. An applicant's socket past MAX_SOCKETS_PER_SESSION of its session puts out the oldest
   * ones, returned to be closed: the newest wins, so a reconnect never waits for a dead connection to time out.
   */
  add(client: Client): Client[] {
    this.clients.add(client);
    const id = client.conversationId;
    if (id === null) return [];
    const open = this.sessions.get(id) ?? [];
    open.push(client);
    this.sessions.set(id, open);
    const evicted = open.slice(0, Math.max(0, open.length - MAX_SOCKETS_PER_SESSION));
    for (const old of evicted) this.remove(old);
    return evicted;
  }

  remove(client: Client) {
    this.clients.delete(client);
    for (const id of client.positions.keys()) this.feeds.get(id)?.clients.delete(client);
    const id = client.conversationId;
    const open = id === null ? undefined : this.sessions.get(id);
    if (open) {
      const rest = open.filter((c) => c !== client);
      if (rest.length) this.sessions.set(id!, rest);
      else this.sessions.delete(id!);
    }
  }

  /** The applicant's sockets of a conversation open in this process. */
  sessionSockets(conversationId: number): number {
    return this.sessions.get(conversationId)?.length ?? 0;
  }

  /** Starts pushing a conversation to a client from after `since` (what the client last saw). */
  follow(client: Client, conversationId: number, since: number) {
    client.positions.set(conversationId, Math.max(0, since));
    let feed = this.feeds.get(conversationId);
    if (!feed) {
      feed = { clients: new Set(), running: false, again: false };
      this.feeds.set(conversationId, feed);
    }
    feed.clients.add(client);
    this.pump(conversationId);
  }

  unfollow(client: Client, conversationId: number) {
    client.positions.delete(conversationId);
    const feed = this.feeds.get(conversationId);
    feed?.clients.delete(client);
    if (feed && feed.clients.size === 0 && !feed.running) this.feeds.delete(conversationId);
  }

  /** A bus listener: it runs under the bus's guard, so a failure here (a lost database) is contained and logged. */
  private onEvent(e: EventMessage): Promise<void> | undefined {
    const id = Number(e.data.conversationId);
    if (e.topic === MESSAGE_TOPIC) {
      if (!this.feeds.has(id)) return;
      const message = messageOfNotice(id, e.data);
      if (message) this.push(id, message);
      else this.pump(id);
    } else if (e.topic === TYPING_TOPIC) {
      const from = String(e.data.from);
      for (const c of this.feeds.get(id)?.clients ?? []) {
        const isApplicant = c.conversationId !== null;
        if ((from === "applicant") !== isApplicant) send(c, { t: "typing", conversationId: id, from });
      }
    } else if (e.topic === STATE_TOPIC) {
      return this.stateChanged(id, e.data);
    }
  }

  private async stateChanged(id: number, data: Record<string, unknown>) {
    const followers = [...(this.feeds.get(id)?.clients ?? [])].filter((c) => c.conversationId !== null);
    if (followers.length > 0) {
      const view = await this.stateView(id);
      for (const c of followers) send(c, { t: "state", ...view });
    }
    // Employees refresh their inbox: the queue or someone's chats changed.
    for (const c of this.clients) {
      if (c.staff) send(c, { t: "inbox", conversationId: id, state: data.state, operatorId: data.operatorId });
    }
  }

  /**
   * A message the notification carried: sent to each client that has everything before it; a client further behind
   * (its catch-up read still to come) gets it from a read.
   */
  private push(id: number, message: MessageWithName) {
    const feed = this.feeds.get(id)!;
    let frame: string | undefined;
    let behind = false;
    for (const c of feed.clients) {
      const pos = c.positions.get(id) ?? 0;
      if (message.seq === pos + 1) {
        frame ??= JSON.stringify(messageView(message));
        if (c.socket.readyState === 1) c.socket.send(frame);
        c.positions.set(id, message.seq);
      } else if (message.seq > pos + 1) behind = true;
    }
    if (behind) this.pump(id);
  }

  /**
   * One read at a time per conversation; a push that arrives during a read makes one more read after it. Reads asked
   * for in the same turn of the event loop go together in one statement.
   */
  private pump(id: number) {
    const feed = this.feeds.get(id);
    if (!feed) return;
    if (feed.running) {
      feed.again = true;
      return;
    }
    feed.running = true;
    this.wanted.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.wanted.size > 0) {
        const ids = [...this.wanted].slice(0, READ_BATCH);
        for (const i of ids) this.wanted.delete(i);
        void this.read(ids);
      }
    });
  }

  private async read(ids: number[]) {
    const wants: { conversationId: number; since: number }[] = [];
    for (const id of ids) {
      const feed = this.feeds.get(id);
      if (!feed) continue;
      feed.again = false;
      if (feed.clients.size === 0) continue;
      let since = Number.POSITIVE_INFINITY;
      for (const c of feed.clients) since = Math.min(since, c.positions.get(id) ?? 0);
      wants.push({ conversationId: id, since });
    }
    let rows: Map<number, MessageWithName[]> | undefined;
    await contain("chat.pump", async () => {
      try {
        rows = await messagesSinceMany(this.ctx.db, wants, READ_LIMIT);
      } catch (e) {
        if (!isDatabaseUnavailable(e)) throw e;
        // The database is away for a moment: read again shortly (and when the bus listens again).
        for (const { conversationId: id } of wants) {
          const feed = this.feeds.get(id);
          if (!feed) continue;
          feed.retry ??= after("chat.pump.retry", 1000, () => {
            feed.retry = undefined;
            this.pump(id);
          }).unref();
        }
      }
    });
    for (const id of ids) {
      const feed = this.feeds.get(id);
      if (!feed) continue;
      const read = rows?.get(id);
      if (read) {
        for (const c of feed.clients) {
          const pos = c.positions.get(id) ?? 0;
          for (const r of read) if (r.seq > pos) send(c, messageView(r));
          const last = read.at(-1)?.seq;
          if (last !== undefined && last > pos) c.positions.set(id, last);
        }
        if (read.length === READ_LIMIT) feed.again = true;
      }
      feed.running = false;
      if (feed.clients.size === 0) this.feeds.delete(id);
      else if (feed.again && rows) {
        feed.again = false;
        this.pump(id);
      }
    }
  }

  /**
   * A conversation without its contacts, with the operator's name. What a thousand clients connecting at once ask for
   * goes to the database as one statement per turn of the event loop, not one each.
   */
  conversation(id: number): Promise<StateRow | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.asked.get(id);
      if (waiting) return waiting.push({ resolve, reject });
      this.asked.set(id, [{ resolve, reject }]);
      if (this.asked.size > 1) return;
      setImmediate(() => {
        const asked = this.asked;
        this.asked = new Map();
        const ids = [...asked.keys()];
        for (let i = 0; i < ids.length; i += READ_BATCH) {
          const part = ids.slice(i, i + READ_BATCH);
          conversationStates(this.ctx.db, part).then(
            (rows) => {
              const found = new Map(rows.map((r) => [r.id, r]));
              for (const id of part) for (const w of asked.get(id)!) w.resolve(found.get(id));
            },
            (e: unknown) => {
              for (const id of part) for (const w of asked.get(id)!) w.reject(e);
            },
          );
        }
      });
    });
  }

  /** What the applicant's side shows of its conversation: its state, the operator's first name, the last number. */
  async stateView(id: number) {
    const conv = await this.conversation(id);
    const operator =
      conv?.operatorId && conv.state === "operator" && conv.operatorName ? firstName(conv.operatorName) : null;
    return { conversationId: id, state: conv?.state ?? "closed", operator, lastSeq: conv?.lastSeq ?? 0 };
  }

  async typing(conversationId: number, from: "applicant" | "operator") {
    // Typing is not kept: a bare NOTIFY on the events channel, not an outbox row.
    const message = JSON.stringify({ id: 0, topic: TYPING_TOPIC, data: { conversationId, from } });
    await this.ctx.db.execute(sql`select pg_notify(${sql.raw(EVENTS_CHANNEL_SQL)}, ${message})`);
  }

  close() {
    this.unsubscribe();
    this.unresume();
    for (const c of this.clients) c.socket.close(1001, "server shutting down");
    this.clients.clear();
    this.feeds.clear();
    this.sessions.clear();
  }
}

export function send(c: Client, data: unknown) {
  if (c.socket.readyState === 1) c.socket.send(JSON.stringify(data));
}

export function messageView(r: MessageWithName) {
  return {
    t: "msg",
    conversationId: r.conversationId,
    seq: r.seq,
    id: r.clientId,
    author: r.author,
    name: r.author === "operator" && r.authorName ? firstName(r.authorName) : null,
    text: r.body,
    at: r.createdAt.toISOString(),
    ...r.payload,
  };
}
