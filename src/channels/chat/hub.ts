// The connected clients of this process. A committed message is announced by ids (chat.message); every
// process hears it, reads the new messages of that conversation once and pushes them, in order, to its own
// clients of that conversation. A client's position (the last number it was sent) makes pushes gap-free and
// never doubled, whichever of a catch-up read and a live push comes first.

import { eq, sql } from "drizzle-orm";
import type { WebSocket } from "ws";
import type { AppContext } from "../../context.ts";
import { isDatabaseUnavailable } from "../../db/outage.ts";
import type { EventMessage } from "../../db/outbox.ts";
import { EVENTS_CHANNEL } from "../../db/outbox.ts";
import { after, contain } from "../../guard.ts";
import { users } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { firstName } from "./operator.ts";
import { conversationById, MESSAGE_TOPIC, type MessageWithName, messagesSince, STATE_TOPIC } from "./store.ts";

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
  running: Promise<void> | null;
  again: boolean;
  retry?: NodeJS.Timeout | undefined;
};

export class ChatHub {
  readonly clients = new Set<Client>();
  private feeds = new Map<number, Feed>();
  private unsubscribe: () => void;
  private unresume: () => void;

  constructor(private readonly ctx: AppContext) {
    this.unsubscribe = ctx.bus.subscribe((e) => this.onEvent(e));
    // Messages committed while the bus was not listening (a lost database) were never announced: read them now.
    this.unresume = ctx.bus.onResume(() => {
      for (const id of this.feeds.keys()) this.pump(id);
    });
  }

  add(client: Client) {
    this.clients.add(client);
  }

  remove(client: Client) {
    this.clients.delete(client);
    for (const id of client.positions.keys()) this.feeds.get(id)?.clients.delete(client);
  }

  /** Starts pushing a conversation to a client from after `since` (what the client last saw). */
  follow(client: Client, conversationId: number, since: number) {
    client.positions.set(conversationId, Math.max(0, since));
    let feed = this.feeds.get(conversationId);
    if (!feed) {
      feed = { clients: new Set(), running: null, again: false };
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
      if (this.feeds.has(id)) this.pump(id);
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
      const view = await stateView(this.ctx, id);
      for (const c of followers) send(c, { t: "state", ...view });
    }
    // Employees refresh their inbox: the queue or someone's chats changed.
    for (const c of this.clients) {
      if (c.staff) send(c, { t: "inbox", conversationId: id, state: data.state, operatorId: data.operatorId });
    }
  }

  /** One read at a time per conversation; a push that arrives during a read makes one more read after it. */
  private pump(id: number) {
    const feed = this.feeds.get(id);
    if (!feed) return;
    if (feed.running) {
      feed.again = true;
      return;
    }
    feed.running = contain("chat.pump", async () => {
      do {
        feed.again = false;
        if (feed.clients.size === 0) break;
        let from = Number.POSITIVE_INFINITY;
        for (const c of feed.clients) from = Math.min(from, c.positions.get(id) ?? 0);
        let rows: MessageWithName[];
        try {
          rows = await messagesSince(this.ctx.db, id, from);
        } catch (e) {
          if (!isDatabaseUnavailable(e)) throw e;
          // The database is away for a moment: read again shortly (and when the bus listens again).
          feed.retry ??= after("chat.pump.retry", 1000, () => {
            feed.retry = undefined;
            this.pump(id);
          }).unref();
          break;
        }
        for (const c of feed.clients) {
          const pos = c.positions.get(id) ?? 0;
          for (const r of rows) if (r.seq > pos) send(c, messageView(r));
          const last = rows.at(-1)?.seq;
          if (last !== undefined && last > pos) c.positions.set(id, last);
        }
        if (rows.length === 500) feed.again = true;
      } while (feed.again);
    }).finally(() => {
      feed.running = null;
      if (feed.clients.size === 0) this.feeds.delete(id);
    });
  }

  async typing(conversationId: number, from: "applicant" | "operator") {
    // Typing is not kept: a bare NOTIFY on the events channel, not an outbox row.
    const message = JSON.stringify({ id: 0, topic: TYPING_TOPIC, data: { conversationId, from } });
    await this.ctx.db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${message})`);
  }

  close() {
    this.unsubscribe();
    this.unresume();
    for (const c of this.clients) c.socket.close(1001, "server shutting down");
    this.clients.clear();
    this.feeds.clear();
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

export async function stateView(ctx: AppContext, id: number) {
  const conv = await conversationById(ctx.db, id);
  let operator: string | null = null;
  if (conv?.operatorId && conv.state === "operator") {
    const [u] = await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, conv.operatorId));
    operator = u ? firstName(u.name) : null;
  }
  return { conversationId: id, state: conv?.state ?? "closed", operator, lastSeq: conv?.lastSeq ?? 0 };
}
