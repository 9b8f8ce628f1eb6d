// Runs a training off the main thread: a server must keep answering while operators' corrections
// are trained in (a training holds the CPU for about a second).
import { parentPort, workerData } from "node:worker_threads";
import { train } from "./classifier.ts";
import type { Example } from "./classifier-model.ts";
import { serializeModel } from "./classifier-model.ts";

const { extra } = workerData as { extra: Example[] };
parentPort?.postMessage(serializeModel(train(extra)));
