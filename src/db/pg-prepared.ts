// Every statement the service repeats runs as a prepared statement on a PostgreSQL server. Drizzle sends its queries
// unnamed, and for an unnamed statement the server parses and plans the text on every run: measured with the server's
// statement log, parsing and planning took about three quarters of the time logged for the acknowledgement letter's
// thirteen statements (commits and lock waits aside). A text seen a second time is given a name (from its content), so each connection parses it once and the
// server may keep its plan; a text seen once stays unnamed, so statements whose text varies (a list of n values) take
// no room. The per-connection count of named statements is bounded.
//
// One case needs care: a statement prepared before a migration changed the columns of a `select *` answers
// «cached plan must not change result type» (0A000). So a text that selects `*` (or `t.*`) is never named; should
// another statement meet that error, its text is never named again on this process, and outside a transaction it is
// run again at once, unnamed (inside one the transaction fails as any statement error fails it).
import { createHash } from "node:crypto";
import type pg from "pg";

/** Named statements kept by one connection at most; later texts run unnamed on it. */
export const PER_CONNECTION = 1000;
/** Texts tracked for their second use at most; past it, texts seen once are forgotten. */
const TRACKED = 20_000;
/** A text that must not be named again (its prepared form went stale). */
const NEVER = "";

/** A select list with `*` or `t.*`: its columns are the table's, which a migration may change under it. */
const STAR = /(\*\s+from\s)|(\w\.\*)/i;

/** Text → its statement name, or the number of times it was seen unnamed. */
const seen = new Map<string, string | number>();

/** The name `text` goes under once it is repeated, or undefined while it is not (or must stay unnamed). */
function nameFor(text: string): string | undefined {
  const known = seen.get(text);
  if (typeof known === "string") return known === NEVER ? undefined : known;
  if (known === undefined) {
    if (STAR.test(text)) {
      seen.set(text, NEVER);
      return undefined;
    }
    if (seen.size >= TRACKED) {
      for (const [t, v] of seen) if (typeof v === "number") seen.delete(t);
    }
    seen.set(text, 1);
    return undefined;
  }
  const name = `otklik_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
  seen.set(text, name);
  return name;
}

type Config = { text?: unknown; name?: unknown; values?: unknown[]; submit?: unknown };
type Callback = (err: Error | null, res?: unknown) => void;

/** Makes `client` send its repeated parametrised statements by name (see the file's header). */
export function namePgStatements(client: pg.Client): void {
  const connection = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection;
  // Statements are never closed on a connection: once it holds PER_CONNECTION, it stays full and is not counted again.
  let full = false;
  const mayPrepare = (name: string) => {
    if (name in connection.parsedStatements) return true;
    if (!full) full = Object.keys(connection.parsedStatements).length >= PER_CONNECTION;
    return !full;
  };
  const query = client.query.bind(client) as (config: unknown, values?: unknown, cb?: Callback) => unknown;
  const named = (config: unknown, values?: unknown, cb?: unknown): unknown => {
    if (typeof values === "function") return query(config, values as Callback);
    if (config === null || typeof config !== "object") return query(config, values, cb as Callback | undefined);
    const c = config as Config;
    const params = (values as unknown[] | undefined) ?? c.values;
    if (typeof c.text !== "string" || c.name !== undefined || typeof c.submit === "function" || !params?.length) {
      return query(config, values, cb as Callback | undefined);
    }
    const text = c.text;
    const name = nameFor(text);
    if (!name || !mayPrepare(name)) return query(config, values, cb as Callback | undefined);
    // Stale (see the header): the text is not named again; outside a transaction (the client was idle before the
    // statement: an error is reported before the server's next «ready») it is run again at once, unnamed.
    const retry = (e: unknown) => {
      if ((e as { code?: string } | null)?.code !== "0A000") return false;
      seen.set(text, NEVER);
      return client.getTransactionStatus() === "I";
    };
    if (typeof cb === "function") {
      return query({ ...c, name }, values, (err, res) => {
        if (err && retry(err)) query(config, values, cb as Callback);
        else (cb as Callback)(err, res);
      });
    }
    return (query({ ...c, name }, values) as Promise<unknown>).catch((e: unknown) => {
      if (retry(e)) return query(config, values);
      throw e;
    });
  };
  client.query = named as typeof client.query;
}
