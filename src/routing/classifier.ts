// The request classifier: free Russian text → category, confidence and audience.
// The shipped model is trained at start from data/classify/train.tsv (about a second), so there
// is no model file to drift from its data; operators' corrections are trained in through `train`.
import { Worker } from "node:worker_threads";
import type { Audience, CategoryCode } from "../requests/categories.ts";
import { detectAudience } from "./classifier-audience.ts";
import { readLabelled, TRAIN_FILE } from "./classifier-data.ts";
import { readWords } from "./classifier-features.ts";
import {
  type Example,
  lexiconOf,
  loadModel,
  type Model,
  predictProba,
  type TrainOptions,
  trainModel,
} from "./classifier-model.ts";

export { AUDIENCES, type Audience, CATEGORIES, type CategoryCode } from "../requests/categories.ts";
export { detectAudience } from "./classifier-audience.ts";
export { type Example, loadModel, type Model, serializeModel } from "./classifier-model.ts";

/**
 * Below this confidence a request goes to the triage queue instead of straight to its category's queue.
 * Chosen on cross-validation of the training split (see docs/CLASSIFIER.md): above it the model is right
 * about 19 times in 20; below it, about two times in three.
 */
export const CONFIDENCE_THRESHOLD = 0.5;

export interface Classification {
  category: CategoryCode;
  /** Probability of the chosen category, in [0, 1]. */
  confidence: number;
  audience: Audience;
  /** The next two categories, for the operator's «или, может быть…». */
  alternatives: { category: CategoryCode; confidence: number }[];
  /** Whether a person should look before routing (confidence below the threshold). */
  needsTriage: boolean;
}

/** Trains a model on the shipped training split plus `extra` examples (operators' corrections). */
export function train(extra: readonly Example[] = [], options?: TrainOptions): Model {
  const shipped = readLabelled(TRAIN_FILE).map(({ text, category }) => ({ text, category }));
  return trainModel([...shipped, ...extra], options);
}

/**
 * The same as `train(extra)`, in a worker thread, so the event loop stays free. From the compiled server the worker
 * is the compiled module; from the TypeScript sources a small boot file registers tsx first, as bin/otklik.js does.
 */
export function trainInBackground(extra: readonly Example[] = []): Promise<Model> {
  return new Promise((resolve, reject) => {
    const entry = import.meta.url.endsWith(".ts") ? "./classifier-worker-boot.mjs" : "./classifier-worker.js";
    const worker = new Worker(new URL(entry, import.meta.url), { workerData: { extra } });
    let done = false;
    worker.once("message", (json: string) => {
      done = true;
      try {
        resolve(loadModel(json));
      } catch (e) {
        reject(e);
      }
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!done) reject(new Error(`classifier training worker exited with code ${code}`));
    });
  });
}

let shippedModel: Model | undefined;

/** The model trained on the shipped data, trained once per process. */
export function loadShippedModel(): Model {
  shippedModel ??= train();
  return shippedModel;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

// «registraciya organizacii», «j,otcndj» (общество): read Latin text the way the model does before looking for words.
function audienceOf(text: string, model: Model): Audience {
  const direct = detectAudience(text);
  if (direct.reason !== "default" || !/[a-z]/i.test(text)) return direct.audience;
  return detectAudience(readWords(text, lexiconOf(model)).join(" ")).audience;
}

// The topic is in the first screens of a message; quoted threads and pasted logs only cost time.
const MAX_CHARS = 20_000;

export function classify(fullText: string, model: Model = loadShippedModel()): Classification {
  const text = fullText.slice(0, MAX_CHARS);
  const ranked = predictProba(model, text).sort((a, b) => b.p - a.p);
  const top = ranked[0] as { category: CategoryCode; p: number };
  return {
    category: top.category,
    confidence: round(top.p),
    audience: audienceOf(text, model),
    alternatives: ranked.slice(1, 3).map((r) => ({ category: r.category, confidence: round(r.p) })),
    needsTriage: top.p < CONFIDENCE_THRESHOLD,
  };
}
