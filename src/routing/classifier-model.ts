// Multinomial logistic regression over the sparse features of classifier-features.ts.
// Chosen over naive Bayes because its probabilities are close enough to calibrated that
// «confidence below the threshold → a person looks first» means what it says.
// Training is full-batch Adam from zero weights in a fixed order: the same data gives the same model.
import { CATEGORY_CODES, type CategoryCode, isCategoryCode } from "../requests/categories.ts";
import { featureRow, featurize, Lexicon, type SparseVector, tokensForLexicon } from "./classifier-features.ts";

export interface Example {
  text: string;
  category: CategoryCode;
}

export interface TrainOptions {
  /** Passes over the data. */
  iterations?: number;
  learningRate?: number;
  /** L2 penalty per weight (scaled by the number of examples). */
  l2?: number;
  /** Drop features seen in fewer examples than this (keeps the model small and less fond of one-offs). */
  minCount?: number;
}

export const DEFAULT_TRAIN_OPTIONS: Required<TrainOptions> = {
  iterations: 80,
  learningRate: 0.15,
  l2: 0.0005,
  minCount: 2,
};

export interface Model {
  format: "otklik-classifier/1";
  classes: CategoryCode[];
  features: string[];
  /** weights[c][f]: class c, feature f (rounded: the JSON stays small and stable). */
  weights: number[][];
  lexicon: string[];
  examples: number;
}

interface Compiled {
  index: Map<string, number>;
  lexicon: Lexicon;
  weights: Float64Array[];
}

const compiled = new WeakMap<Model, Compiled>();

function compile(model: Model): Compiled {
  let c = compiled.get(model);
  if (!c) {
    c = {
      index: new Map(model.features.map((f, i) => [f, i])),
      lexicon: new Lexicon(model.lexicon),
      weights: model.weights.map((w) => Float64Array.from(w)),
    };
    compiled.set(model, c);
  }
  return c;
}

type Row = { idx: Int32Array; val: Float64Array };

function toRow(v: SparseVector, index: Map<string, number>): Row {
  const idx: number[] = [];
  const val: number[] = [];
  for (const [k, x] of v) {
    const i = index.get(k);
    if (i !== undefined) {
      idx.push(i);
      val.push(x);
    }
  }
  return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
}

function softmax(scores: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp((scores[i] as number) - max);
    sum += out[i] as number;
  }
  for (let i = 0; i < out.length; i++) (out[i] as number) /= sum;
  return out;
}

function scoresOf(row: Row, weights: Float64Array[]): Float64Array {
  const s = new Float64Array(weights.length);
  for (let c = 0; c < weights.length; c++) {
    const w = weights[c] as Float64Array;
    let acc = 0;
    for (let k = 0; k < row.idx.length; k++) acc += (w[row.idx[k] as number] as number) * (row.val[k] as number);
    s[c] = acc;
  }
  return s;
}

export function trainModel(examples: readonly Example[], options: TrainOptions = {}): Model {
  const opt = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const classes = [...CATEGORY_CODES];
  const lexiconWords = new Set<string>();
  for (const e of examples) for (const w of tokensForLexicon(e.text)) lexiconWords.add(w);
  const lexicon = new Lexicon(lexiconWords);

  const vectors = examples.map((e) => featurize(e.text, lexicon));
  const counts = new Map<string, number>();
  for (const v of vectors) for (const k of v.keys()) counts.set(k, (counts.get(k) ?? 0) + 1);
  const features = [...counts]
    .filter(([, n]) => n >= opt.minCount)
    .map(([k]) => k)
    .sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const rows = vectors.map((v) => toRow(v, index));
  const labels = examples.map((e) => classes.indexOf(e.category));

  const F = features.length;
  const C = classes.length;
  const N = Math.max(1, examples.length);
  const weights = Array.from({ length: C }, () => new Float64Array(F));
  const m = Array.from({ length: C }, () => new Float64Array(F));
  const v = Array.from({ length: C }, () => new Float64Array(F));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];

  for (let t = 1; t <= opt.iterations; t++) {
    const grad = Array.from({ length: C }, () => new Float64Array(F));
    rows.forEach((row, n) => {
      const p = softmax(scoresOf(row, weights));
      for (let c = 0; c < C; c++) {
        const err = ((p[c] as number) - (c === labels[n] ? 1 : 0)) / N;
        if (err === 0) continue;
        const g = grad[c] as Float64Array;
        for (let k = 0; k < row.idx.length; k++) (g[row.idx[k] as number] as number) += err * (row.val[k] as number);
      }
    });
    const lr = (opt.learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let c = 0; c < C; c++) {
      const [w, g, mc, vc] = [weights[c], grad[c], m[c], v[c]] as Float64Array[];
      for (let f = 0; f < F; f++) {
        const gf = (g![f] as number) + opt.l2 * (w![f] as number);
        mc![f] = b1 * (mc![f] as number) + (1 - b1) * gf;
        vc![f] = b2 * (vc![f] as number) + (1 - b2) * gf * gf;
        w![f] = (w![f] as number) - (lr * (mc![f] as number)) / (Math.sqrt(vc![f] as number) + eps);
      }
    }
  }

  return {
    format: "otklik-classifier/1",
    classes,
    features,
    weights: weights.map((w) => Array.from(w, (x) => Math.round(x * 1e5) / 1e5)),
    lexicon: lexicon.list(),
    examples: examples.length,
  };
}

/** The model's word list, for reading Latin chunks the way the model does. */
export function lexiconOf(model: Model): Lexicon {
  return compile(model).lexicon;
}

/** Probability of each class, in the model's class order. */
export function predictProba(model: Model, text: string): { category: CategoryCode; p: number }[] {
  const { index, lexicon, weights } = compile(model);
  const p = softmax(scoresOf(featureRow(text, lexicon, index), weights));
  return model.classes.map((category, i) => ({ category, p: p[i] as number }));
}

export function serializeModel(model: Model): string {
  return JSON.stringify(model);
}

export class ModelFormatError extends Error {
  readonly code = "classifier.bad_model";
}

export function loadModel(json: string): Model {
  const m = JSON.parse(json) as Partial<Model>;
  const ok =
    m.format === "otklik-classifier/1" &&
    Array.isArray(m.classes) &&
    m.classes.every(isCategoryCode) &&
    Array.isArray(m.features) &&
    Array.isArray(m.weights) &&
    m.weights.length === m.classes.length &&
    m.weights.every((w) => Array.isArray(w) && w.length === m.features?.length) &&
    Array.isArray(m.lexicon);
  if (!ok) throw new ModelFormatError("Файл модели классификатора повреждён или другого формата");
  return m as Model;
}
