// Figures of a model on labelled messages: accuracy, per-class precision/recall, the confusion
// matrix, audience accuracy, and how accuracy splits at the triage threshold.
import { CATEGORY_CODES, type CategoryCode } from "../requests/categories.ts";
import { type Classification, CONFIDENCE_THRESHOLD, classify } from "./classifier.ts";
import type { LabelledMessage } from "./classifier-data.ts";
import type { Model } from "./classifier-model.ts";

export interface ClassScore {
  category: CategoryCode;
  precision: number;
  recall: number;
  support: number;
}

export interface Evaluation {
  total: number;
  accuracy: number;
  /** Null when the data carries no audience labels. */
  audienceAccuracy: number | null;
  perClass: ClassScore[];
  /** confusion[actual][predicted] = count, categories in CATEGORY_CODES order. */
  confusion: Record<CategoryCode, Record<CategoryCode, number>>;
  threshold: number;
  /** Share of messages at or above the threshold, and the accuracy on each side of it. */
  routedShare: number;
  /** Null when no message fell on that side of the threshold. */
  accuracyRouted: number | null;
  accuracyTriage: number | null;
  errors: { text: string; expected: CategoryCode; got: CategoryCode; confidence: number }[];
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);
const ratioOrNull = (a: number, b: number) => (b === 0 ? null : ratio(a, b));

export function evaluate(model: Model, messages: readonly LabelledMessage[]): Evaluation {
  const zeroRow = () => Object.fromEntries(CATEGORY_CODES.map((c) => [c, 0])) as Record<CategoryCode, number>;
  const confusion = Object.fromEntries(CATEGORY_CODES.map((c) => [c, zeroRow()])) as Evaluation["confusion"];
  let correct = 0;
  let audienceRight = 0;
  let audienceTotal = 0;
  const routed = { n: 0, ok: 0 };
  const triage = { n: 0, ok: 0 };
  const errors: Evaluation["errors"] = [];
  for (const m of messages) {
    const r: Classification = classify(m.text, model);
    const ok = (m.accept ?? [m.category]).includes(r.category);
    // An accepted second answer counts on the diagonal of the category it names.
    confusion[ok ? r.category : m.category][r.category]++;
    if (ok) correct++;
    else errors.push({ text: m.text, expected: m.category, got: r.category, confidence: r.confidence });
    const side = r.needsTriage ? triage : routed;
    side.n++;
    if (ok) side.ok++;
    if (m.audience) {
      audienceTotal++;
      if (r.audience === m.audience) audienceRight++;
    }
  }
  const perClass = CATEGORY_CODES.map((c): ClassScore => {
    const tp = confusion[c][c];
    const predicted = CATEGORY_CODES.reduce((s, a) => s + confusion[a][c], 0);
    const support = CATEGORY_CODES.reduce((s, p) => s + confusion[c][p], 0);
    return { category: c, precision: ratio(tp, predicted), recall: ratio(tp, support), support };
  });
  return {
    total: messages.length,
    accuracy: ratio(correct, messages.length),
    audienceAccuracy: ratioOrNull(audienceRight, audienceTotal),
    perClass,
    confusion,
    threshold: CONFIDENCE_THRESHOLD,
    routedShare: ratio(routed.n, messages.length),
    accuracyRouted: ratioOrNull(routed.ok, routed.n),
    accuracyTriage: ratioOrNull(triage.ok, triage.n),
    errors,
  };
}

export interface CrossValidation {
  folds: number;
  total: number;
  accuracy: number;
  /** For each candidate threshold: share of messages at or above it, accuracy there and below. */
  thresholds: {
    threshold: number;
    routedShare: number;
    accuracyRouted: number | null;
    accuracyTriage: number | null;
  }[];
}

/**
 * K-fold cross-validation on labelled messages (message i goes to fold i mod k): the honest way to
 * compare features, settings or a threshold without touching the test split.
 */
export function crossValidate(
  messages: readonly LabelledMessage[],
  folds = 5,
  trainFold: (examples: { text: string; category: CategoryCode }[]) => Model,
): CrossValidation {
  const outcomes: { confidence: number; ok: boolean }[] = [];
  for (let k = 0; k < folds; k++) {
    const model = trainFold(
      messages.filter((_, i) => i % folds !== k).map(({ text, category }) => ({ text, category })),
    );
    for (const m of messages.filter((_, i) => i % folds === k)) {
      const r = classify(m.text, model);
      outcomes.push({ confidence: r.confidence, ok: (m.accept ?? [m.category]).includes(r.category) });
    }
  }
  const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((threshold) => {
    const hi = outcomes.filter((o) => o.confidence >= threshold);
    const lo = outcomes.filter((o) => o.confidence < threshold);
    return {
      threshold,
      routedShare: ratio(hi.length, outcomes.length),
      accuracyRouted: ratioOrNull(hi.filter((o) => o.ok).length, hi.length),
      accuracyTriage: ratioOrNull(lo.filter((o) => o.ok).length, lo.length),
    };
  });
  return {
    folds,
    total: outcomes.length,
    accuracy: ratio(outcomes.filter((o) => o.ok).length, outcomes.length),
    thresholds,
  };
}
