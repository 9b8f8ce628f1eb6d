// What every room's routes and services receive: the configuration, the database and the shared services.
import type { ServerResponse } from "node:http";
import type { Config } from "./config.ts";
import type { Database, Db } from "./db/client.ts";
import type { EventBus, OutboxWorker } from "./db/outbox.ts";
import type { FileStore } from "./files/store.ts";
import type { RequestPressure } from "./http/pressure.ts";
import type { RequestCore } from "./requests/core/index.ts";
import type { ServiceRegistry } from "./room.ts";

export type AppContext = {
  config: Config;
  database: Database;
  db: Db;
  bus: EventBus;
  worker: OutboxWorker;
  /** The HTTP side's load right now: background jobs give way to a burst of requests (src/http/pressure.ts). */
  pressure: RequestPressure;
  files: FileStore;
  /** The one owner of requests, their messages and history (src/requests/core). */
  requests: RequestCore;
  /** What rooms offer each other (the directory, the search index, the SLA policies…), declared in src/room.ts. */
  services: ServiceRegistry;
  /** Open event streams, ended on shutdown so that the server can close. */
  streams: Set<ServerResponse>;
  /** Where the process is in its life: `/api/v1/ready` answers 503 unless it is `serving`. */
  phase: {
    now: "starting" | "serving" | "draining" /** When a stopping process cuts what is still open (ms). */;
    deadline?: number;
  };
};
