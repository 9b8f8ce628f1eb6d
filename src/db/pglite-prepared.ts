// PGlite with prepared statements: the embedded engine's statements parsed and planned once, then sent as one
// protocol exchange each.
//
// PGlite's own `query` sends every statement as six exchanges with the engine (parse, describe the statement,
// bind, describe the portal, execute, sync), each a call into its WebAssembly with its answer parsed in JavaScript,
// and parses and plans the text every time (an unnamed statement). Here a statement's text is parsed once under a
// name, its parameter types and columns remembered, and every later run is one exchange: bind, execute, sync.
// Measured on a 2-core machine, one `update … returning` by primary key: 0.26–0.34 ms of CPU through `query`,
// 0.06–0.07 ms prepared (docs/PERFORMANCE.md). A PostgreSQL server does the same for named statements; its default
// plan choice (`plan_cache_mode = auto`: after five runs, a generic plan when it costs no more) applies here too.
//
// What callers see is unchanged: the same `{ rows, fields, affectedRows }` as PGlite's own result parser builds, with
// the same type parsers and serializers, the same errors (PGlite's DatabaseError with the query attached), NOTIFY heard
// by `listen` as before (PGlite's protocol handler dispatches notifications whatever sent the statement). The locks
// are PGlite's: a statement outside a transaction waits for the transaction lock as `query` does; inside one, for the
// query lock. A statement with a blob (COPY) or its own parameter types goes through PGlite's own `query`.
//
// Nothing here is private to PGlite but `_runExclusiveTransaction`, the lock its public `query` takes
// (src/db/pglite-prepared.test.ts fails if it goes away).
import {
  type PGlite,
  type Results as PgliteResults,
  type parse,
  protocol,
  type QueryOptions,
  type Transaction,
  types,
} from "@electric-sql/pglite";

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];
type Field = { name: string; dataTypeID: number };
type Parser = (value: string, type: number) => unknown;

type Statement = {
  name: string;
  /** The parameters' type ids, from the engine: each value is serialized as PGlite's `query` would. */
  paramTypes: number[];
  /** The columns it returns (none for a statement that returns no rows). */
  fields: Field[];
};

/** Statements kept prepared at once by default; the least recently prepared is closed beyond it. */
const KEEP = 500;

/**
 * «cached plan must not change result type»: a table changed under a prepared statement (the code is «feature not
 * supported», so another such refusal is tried once more and fails the same way).
 */
const PLAN_CHANGED = "0A000";

type Locked = {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
};

/** PostgreSQL's type id of bytea. */
const BYTEA = 17;

/**
 * Bytes as bytea's text form, as PGlite's own serializer writes them («\\x» and two lower-case hex digits a byte) but by
 * Node's native hex encoding: PGlite's goes through an array of one string per byte, about 65 ms for each 256 KB piece
 * of an attachment (a 10 MB file held the engine, and every request waiting on it, for 2.6 s of its 3.3).
 */
const byteaText = (v: unknown) => {
  const bytes = v as Uint8Array;
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
};

/** Each wrapper names its statements apart, so two wrappers of one engine never take the same name. */
let wrappers = 0;

/** One engine's prepared statements, by text. */
class Statements {
  private readonly byText = new Map<string, Statement>();
  private readonly prefix = `otklik_${++wrappers}_`;
  /** Closes of evicted statements, sent ahead of the next exchange. */
  private closing: Uint8Array[] = [];
  private seq = 0;

  constructor(
    private readonly pglite: PGlite,
    private readonly keep: number,
  ) {}

  /** Runs one statement: the caller holds the engine's lock for it. */
  async run<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<PgliteResults<T>> {
    try {
      const statement = this.byText.get(text) ?? (await this.prepare(text));
      const serializers = this.pglite.serializers;
      const own = options?.serializers;
      const values = params.map((v, i) => {
        if (v === null || v === undefined) return null;
        const oid = statement.paramTypes[i]!;
        const serialize = own?.[oid] ?? (oid === BYTEA && v instanceof Uint8Array ? byteaText : serializers[oid]);
        return serialize ? serialize(v) : String(v);
      });
      const messages = await this.exchange([
        protocol.serialize.bind({ statement: statement.name, values: values as (string | null)[] }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]);
      return this.results<T>(messages, statement.fields, options);
    } catch (e) {
      if (isDatabaseError(e)) {
        // A table changed under a prepared statement («cached plan must not change result type»): prepared anew next time.
        if (e.code === PLAN_CHANGED) this.forget(text);
        Object.assign(e, { query: text, params, queryOptions: options });
      }
      throw e;
    }
  }

  private async prepare(text: string): Promise<Statement> {
    const name = `${this.prefix}${++this.seq}`;
    const messages = await this.exchange([
      protocol.serialize.parse({ name, text, types: [] }),
      protocol.serialize.describe({ type: "S", name }),
      protocol.serialize.sync(),
    ]);
    const params = messages.find((m) => m.name === "parameterDescription") as { dataTypeIDs: number[] } | undefined;
    const statement: Statement = {
      name,
      paramTypes: params?.dataTypeIDs ?? [],
      fields: (
        (messages.find((m) => m.name === "rowDescription") as { fields?: Field[] } | undefined)?.fields ?? []
      ).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    };
    this.byText.set(text, statement);
    if (this.byText.size > this.keep) this.forget(this.byText.keys().next().value as string);
    return statement;
  }

  /**
   * The rows as PGlite's own result parser builds them (each value through the query's parser for its type, else the
   * instance's, else PGlite's default), without merging the parser tables for every statement as it does.
   */
  private results<T>(messages: BackendMessage[], fields: Field[], options: QueryOptions | undefined) {
    const own = options?.parsers as Record<number, Parser> | undefined;
    const instance = this.pglite.parsers as Record<number, Parser>;
    const defaults = types.parsers as Record<number, Parser>;
    const parsers = fields.map((f) => own?.[f.dataTypeID] ?? instance[f.dataTypeID] ?? defaults[f.dataTypeID]);
    const asArray = options?.rowMode === "array";
    const rows: unknown[] = [];
    const result: PgliteResults<T> & { command?: string; rowCount?: number } = {
      rows: rows as PgliteResults<T>["rows"],
      fields,
      affectedRows: 0,
    };
    for (const m of messages) {
      if (m.name === "dataRow") {
        const values = (m as unknown as { fields: (string | null)[] }).fields;
        const row: unknown[] | Record<string, unknown> = asArray ? new Array(values.length) : {};
        for (let i = 0; i < values.length; i++) {
          const raw = values[i]!;
          const parser = parsers[i];
          const value = raw === null ? null : parser ? parser(raw, fields[i]!.dataTypeID) : raw;
          if (asArray) (row as unknown[])[i] = value;
          else (row as Record<string, unknown>)[fields[i]!.name] = value;
        }
        rows.push(row);
      } else if (m.name === "commandComplete") {
        // «INSERT 0 5», «UPDATE 3», «SELECT 2»: the last word is the count; the first the command.
        const words = (m as unknown as { text: string }).text.split(" ");
        const command = words[0]!;
        const count = Number.parseInt(words[words.length - 1]!, 10);
        result.command = command;
        if (["INSERT", "UPDATE", "DELETE", "COPY", "MERGE"].includes(command)) result.affectedRows = count;
        if (!Number.isNaN(count)) result.rowCount = count;
      }
    }
    return result;
  }

  /** Drops a statement and closes it with the next exchange. */
  private forget(text: string) {
    const gone = this.byText.get(text);
    if (!gone) return;
    this.byText.delete(text);
    this.closing.push(protocol.serialize.close({ type: "S", name: gone.name }));
  }

  /** One call into the engine with the messages given (and any pending closes before them). */
  private exchange(parts: Uint8Array[]): Promise<BackendMessage[]> {
    if (this.closing.length > 0) {
      parts.unshift(...this.closing);
      this.closing = [];
    }
    let size = 0;
    for (const p of parts) size += p.length;
    const message = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      message.set(p, at);
      at += p.length;
    }
    return this.pglite.execProtocolStream(message, { syncToFs: false });
  }
}

function isDatabaseError(e: unknown): e is Error & { code?: string } {
  return e instanceof protocol.messages.DatabaseError;
}

const prepared = new WeakSet<object>();

/** Whether this is already a `preparedPglite` wrapper. */
export const isPreparedPglite = (pglite: PGlite): boolean => prepared.has(pglite);

/** The longest the statements hold the event loop before they give it a turn. */
const HOLD_MS = 10;
let lastTurn = performance.now();
let marking = false;
/** The loop's own setImmediate, taken at load: a test's fake timers must not stop the database. */
const nextTurn = setImmediate;

/**
 * Gives the event loop a turn when it has had none for HOLD_MS. PGlite runs a statement synchronously in this thread
 * and its promise resolves in a microtask, so a chain of statements (the outbox's jobs, one after another) never lets
 * the loop reach its I/O: measured on 3,000 web-form submissions with e-mail addresses, the acknowledgements' jobs held
 * it for up to 11.7 s, no request was read meanwhile and the slowest 1 % of submissions waited 3–11 s. A turn lets
 * the requests in; they queue for the database behind the statements already waiting.
 */
async function giveTurn(): Promise<void> {
  if (!marking) {
    marking = true;
    nextTurn(() => {
      marking = false;
      lastTurn = performance.now();
    });
  }
  if (performance.now() - lastTurn < HOLD_MS) return;
  await new Promise<void>((resolve) => nextTurn(resolve));
}

/**
 * The PGlite instance as Drizzle (and anything else) uses it, with `query` and `transaction` running prepared
 * statements; every other member is the instance's own.
 */
export function preparedPglite(pglite: PGlite, keep = KEEP): PGlite {
  const statements = new Statements(pglite, keep);
  const locked = pglite as unknown as Locked;
  const inTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, key) {
        if (key === "query") {
          return async <T>(text: string, params: unknown[] = [], options?: QueryOptions) => {
            if (target.closed) throw new Error("Transaction is closed");
            if (options?.blob || options?.paramTypes) return target.query<T>(text, params, options);
            await giveTurn();
            return pglite.runExclusive(() => statements.run<T>(text, params, options));
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const wrapper = new Proxy(pglite, {
    get(target, key) {
      if (key === "query") {
        return async <T>(text: string, params: unknown[] = [], options?: QueryOptions) => {
          if (options?.blob || options?.paramTypes) return target.query<T>(text, params, options);
          await target.waitReady;
          await giveTurn();
          return locked._runExclusiveTransaction(() =>
            target.runExclusive(async () => {
              let out: PgliteResults<T>;
              try {
                out = await statements.run<T>(text, params, options);
              } catch (e) {
                // Outside a transaction the statement is simply run again, prepared anew.
                if (!isDatabaseError(e) || e.code !== PLAN_CHANGED) throw e;
                out = await statements.run<T>(text, params, options);
              }
              await target.syncToFs();
              return out;
            }),
          );
        };
      }
      if (key === "transaction") {
        return async <T>(callback: (tx: Transaction) => Promise<T>) => {
          await giveTurn();
          return target.transaction((tx) => callback(inTransaction(tx)));
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  prepared.add(wrapper);
  return wrapper;
}
