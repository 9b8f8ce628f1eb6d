// Starting and stopping Otklik: database, migrations, first-start data, HTTP, background work.
import { mkdirSync } from "node:fs";
import pino from "pino";
import { bootstrap } from "./bootstrap.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { type Database, openDatabase } from "./db/client.ts";
import {
  EventBus,
  type EventMessage,
  type JobHandler,
  jobFor,
  type ManyRun,
  OutboxWorker,
  runEach,
  wanted,
} from "./db/outbox.ts";
import { startVacuuming } from "./db/vacuum.ts";
import { openFileStore } from "./files/store.ts";
import { after, configureGuard, every } from "./guard.ts";
import { buildApp } from "./http/app.ts";
import { loggerOptions } from "./http/logging.ts";
import { RequestPressure } from "./http/pressure.ts";
import { RequestCore } from "./requests/core/index.ts";
import { ServiceRegistry, startOrder } from "./room.ts";
import { ROOMS } from "./rooms.ts";
import { logDevelopmentKeys, refuseDevelopmentKeys } from "./security/start.ts";

export type Running = {
  ctx: AppContext;
  app: Awaited<ReturnType<typeof buildApp>>;
  url: string;
  close(): Promise<void>;
};

export type StartOptions = {
  database?: Database;
  logger?: boolean;
  listen?: boolean;
  onFirstAdmin?: (info: { email: string; generatedPassword?: string }) => void;
};

export async function createContext(config: Config, database: Database): Promise<AppContext> {
  await database.migrate();
  const { admin } = await bootstrap(database.db, config);
  if (admin?.generatedPassword) {
    // Printed once, to the console only (never to the log): it is not stored anywhere in clear.
    process.stdout.write(
      `\nПервый запуск: создан администратор ${admin.email}\nПароль (показывается один раз): ${admin.generatedPassword}\n\n`,
    );
  }
  mkdirSync(config.dataDir, { recursive: true });
  const bus = new EventBus();
  await bus.start(database);
  const pressure = new RequestPressure();
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    bus,
    worker: new OutboxWorker(
      database,
      {},
      {
        busy: () => pressure.busy(),
        deferMs: config.jobsDeferMs,
        log: pino({ ...loggerOptions(config.logLevel), name: "jobs" }, process.stdout),
      },
    ),
    pressure,
    files: openFileStore(config.files, database.db, config.dataDir, config.maxAttachmentBytes),
    // Routing plugs its rules in at start; until then due times are a day and nothing is categorised or assigned.
    requests: new RequestCore({ db: database.db, engine: database.engine }),
    services: new ServiceRegistry(),
    streams: new Set(),
    phase: { now: "starting" },
  };
  ctx.worker.setJobs(mergeJobs(ROOMS.map((r) => r.jobs?.(ctx) ?? {})));
  for (const room of startOrder(ROOMS)) {
    const stop = await room.start?.(ctx);
    if (stop) ctx.services.onStop(stop);
    for (const s of room.provides ?? []) {
      if (ctx.services.maybe(s) === undefined) throw new Error(`room «${room.name}» did not provide «${s}» at start`);
    }
  }
  return ctx;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  configureGuard(config.logLevel);
  // Before the database is opened: a refused start leaves nothing behind.
  refuseDevelopmentKeys(config);
  const database = opts.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const ctx = await createContext(config, database);
  const app = await buildApp(ctx, opts.logger === false ? { logger: false } : {});
  logDevelopmentKeys(app.log);
  ctx.worker.start(ctx.bus);
  const stopVacuuming = startVacuuming(database);
  /** What runs besides HTTP, stopped after it (in this order: the jobs may still use the database). */
  const stopBackground = async () => {
    await ctx.worker.stop();
    await stopVacuuming();
    await ctx.services.stopAll();
    await ctx.bus.stop();
    await database.close();
  };
  let url = "";
  if (opts.listen !== false) {
    try {
      url = await app.listen({ port: config.port, host: config.host });
    } catch (e) {
      // The address could not be taken (another program holds it): what was started stops, so the process can end.
      await app.close().catch(() => {});
      await stopBackground();
      throw e;
    }
  }
  ctx.phase.now = "serving";
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Stop taking new work (a load balancer reading /api/v1/ready sends no more), end the live streams so
      // connections can drain, finish what is in flight.
      ctx.phase.now = "draining";
      ctx.phase.deadline = Date.now() + config.shutdownSeconds * 1000;
      for (const res of ctx.streams) res.end();
      // A keep-alive connection whose request was in flight at the signal turns idle once it is answered; close it
      // then, or the server would wait for the client's keep-alive timeout (72 s) before it can stop.
      const idle = every("server.drain", 100, () => app.server.closeIdleConnections());
      // Past the grace period what is still open is cut: a slow client does not hold the stop.
      const cut = after("server.cut", ctx.phase.deadline - Date.now(), () => app.server.closeAllConnections());
      try {
        await app.close();
      } finally {
        clearInterval(idle);
        clearTimeout(cut);
      }
      await stopBackground();
    })();
    return closing;
  };
  return { ctx, app, url, close };
}

/**
 * Several rooms may act on one topic (a reply is mailed by the e-mail room and counted by another): each topic's
 * handlers run in turn, but for those that say they have nothing to do with the event. A failure retries the event as
 * a whole, so every handler must be idempotent (the e-mail room keys each letter by the event it announces; the daily
 * summary records each day it sent).
 */
export function mergeJobs(perRoom: Record<string, JobHandler>[]): Record<string, JobHandler> {
  const byTopic = new Map<string, JobHandler[]>();
  for (const jobs of perRoom) {
    for (const [topic, handler] of Object.entries(jobs)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), handler]);
  }
  return Object.fromEntries(
    [...byTopic].map(([topic, handlers]): [string, JobHandler] => {
      const run: JobHandler = async (event, db) => {
        for (const h of handlers) if (wanted(h, event)) await h(event, db);
      };
      // Set-based when any of its jobs is: each job takes the events it wants and has not failed on yet, together
      // when it can (a job whose set-based run throws runs them one by one), or one by one.
      const many: ManyRun | undefined = handlers.some((h) => h.many)
        ? async (events, db) => {
            const failed = new Map<number, unknown>();
            for (const h of handlers) {
              const mine = events.filter((e) => !failed.has(e.id) && wanted(h, e));
              let together: Map<number, unknown> | undefined;
              if (h.many && mine.length > 1) together = await h.many(mine, db).catch(() => undefined);
              if (together) for (const [id, error] of together) failed.set(id, error);
              else await runEach(h, mine, db, failed);
            }
            return failed;
          }
        : undefined;
      // The topic's event is wanted when any of its jobs wants it; a job that does not say wants every event.
      const wants = handlers.every((h) => h.wants)
        ? (e: EventMessage) => handlers.some((h) => wanted(h, e))
        : undefined;
      if (!wants) return [topic, many ? Object.assign(run, { many }) : run];
      return [topic, jobFor(wants, run, many)];
    }),
  );
}
