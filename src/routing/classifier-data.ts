// The labelled messages shipped with the product: data/classify/{train,test}.tsv,
// one message a line: text<TAB>category<TAB>audience, a header line first. An evaluation file may list
// several acceptable categories, comma-separated; the audience column is optional.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Audience, type CategoryCode, isAudience, isCategoryCode } from "../requests/categories.ts";

export interface LabelledMessage {
  text: string;
  /** The main category (the first listed); training uses this one. */
  category: CategoryCode;
  /** Every acceptable answer, when the line lists several («business,application_status»). */
  accept?: CategoryCode[];
  audience?: Audience;
}

export const DATA_DIR = fileURLToPath(new URL("../../data/classify/", import.meta.url));
export const TRAIN_FILE = `${DATA_DIR}train.tsv`;
export const TEST_FILE = `${DATA_DIR}test.tsv`;

export class DataFormatError extends Error {
  readonly code = "classifier.bad_data";
}

/** Parses a TSV of labelled messages; a bad line is an error naming the line, never skipped silently. */
export function parseLabelled(tsv: string, source = "данные"): LabelledMessage[] {
  const out: LabelledMessage[] = [];
  const lines = tsv.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || (i === 0 && line.startsWith("text\t"))) return;
    const [text, categories, audience] = line.split("\t");
    const codes = (categories ?? "").split(",").map((c) => c.trim());
    if (!text?.trim() || !codes.every(isCategoryCode)) {
      throw new DataFormatError(`${source}, строка ${i + 1}: нужен текст, табуляция и код категории`);
    }
    const a = audience?.trim();
    if (a && !isAudience(a)) throw new DataFormatError(`${source}, строка ${i + 1}: неизвестная аудитория «${a}»`);
    out.push({
      text: text.trim(),
      category: codes[0] as CategoryCode,
      ...(codes.length > 1 ? { accept: codes as CategoryCode[] } : {}),
      ...(a ? { audience: a as Audience } : {}),
    });
  });
  return out;
}

export function readLabelled(file: string): LabelledMessage[] {
  return parseLabelled(readFileSync(file, "utf8"), file.split(/[\\/]/).pop());
}
