// What the registry asks of the classifier. The model itself lives in classifier.ts.
export type Classification = { category: string; confidence: number; audience: string; needsTriage: boolean };
export type Classifier = (text: string) => Classification | null;
