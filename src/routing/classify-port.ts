// What the registry asks of the classifier. The model itself lives in classifier.ts.
export type Classification = { category: string; confidence: number; audience: string };
export type Classifier = (text: string) => Classification | null;

/** The shipped classifier when its model is present; otherwise requests wait for a person to categorise. */
export async function loadClassifier(): Promise<Classifier> {
  try {
    const mod = (await import("./classifier.ts")) as {
      classify: (text: string, model?: unknown) => Classification;
      loadShippedModel: () => unknown;
    };
    const model = await mod.loadShippedModel();
    return (text) => mod.classify(text, model);
  } catch {
    return () => null;
  }
}
