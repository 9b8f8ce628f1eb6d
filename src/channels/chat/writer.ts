// Group commit for chat messages, as registrations have it (src/db/group-commit.ts): the messages that arrive while
// a group is being written go together in the next transaction — one BEGIN and one COMMIT for the group instead of one
// each. Each message is acknowledged only after its group committed. Within a group the messages take their
// conversations' locks in the order of the conversations' ids (two groups never wait for each other in a circle), and
// messages of one conversation keep their order of arrival.
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { GroupCommit } from "../../db/group-commit.ts";
import { isAppError } from "../../http/errors.ts";

/** A message refused by its checks (nothing written yet): it fails alone, its group goes on. */
export class ChatRefusal extends Error {}

export type ChatWrite<C, R> = {
  conversationId: number;
  /** Locks and checks, writing nothing: a refusal thrown here (an AppError, a ChatRefusal) fails this message alone. */
  check(tx: Tx): Promise<C>;
  /** The writes: a failure here undoes the group, whose messages are then written again one by one. */
  write(tx: Tx, checked: C): Promise<R>;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
// biome-ignore lint/suspicious/noExplicitAny: the group holds writes of different results, each unwrapped by its caller
type AnyWrite = ChatWrite<any, any>;

const refused = (e: unknown) => isAppError(e) || e instanceof ChatRefusal;

export class ChatWriter {
  private readonly batcher: GroupCommit<AnyWrite, Outcome>;

  constructor(ctx: AppContext) {
    this.batcher = new GroupCommit((group) => ctx.db.transaction((tx) => writeGroup(tx, group)), {
      // A group's messages go one after another on its connection, so several groups go side by side (six of the
      // pool's ten connections by default, the rest left to the reads): with few messages each goes alone, at once,
      // as without group commit.
      parallel: 6,
    });
  }

  async submit<C, R>(w: ChatWrite<C, R>): Promise<R> {
    const out = await this.batcher.submit(w);
    if (!out.ok) throw out.error;
    return out.value as R;
  }
}

async function writeGroup(tx: Tx, group: AnyWrite[]): Promise<Outcome[]> {
  const order = group.map((_, i) => i).sort((a, b) => group[a]!.conversationId - group[b]!.conversationId || a - b);
  const out: Outcome[] = new Array(group.length);
  for (const i of order) {
    const w = group[i]!;
    let checked: unknown;
    try {
      checked = await w.check(tx);
    } catch (error) {
      if (!refused(error)) throw error;
      out[i] = { ok: false, error };
      continue;
    }
    out[i] = { ok: true, value: await w.write(tx, checked) };
  }
  return out;
}

/**
 * A message's transaction: in a group on a PostgreSQL server, alone on PGlite. PGlite runs a transaction's statements
 * without giving the event loop a turn, so a group of dozens of messages held every socket for its whole length (and
 * with one connection, a message waited for the group before its own as well as for the engine): measured, the
 * applicants of the crash test, sending every 20 ms, had their sockets closed for too many waiting frames.
 */
export function writeMessage<C, R>(ctx: AppContext, w: ChatWrite<C, R>): Promise<R> {
  const writer = ctx.services.maybe("chat")?.writer;
  if (writer) return writer.submit(w);
  return ctx.db.transaction(async (tx) => w.write(tx, await w.check(tx)));
}
