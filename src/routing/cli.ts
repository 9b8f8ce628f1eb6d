// `otklik classify "<text>" [--json]`, `otklik classify train [--data FILE ...] [--out FILE] [--json]`,
// `otklik classify eval [--data FILE] [--model FILE] [--json]`.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { categoryTitle } from "../requests/categories.ts";
import { CONFIDENCE_THRESHOLD, classify, loadShippedModel, train } from "./classifier.ts";
import { DataFormatError, readLabelled, TEST_FILE, TRAIN_FILE } from "./classifier-data.ts";
import { crossValidate, evaluate } from "./classifier-eval.ts";
import { loadModel, type Model, ModelFormatError, serializeModel, trainModel } from "./classifier-model.ts";

const USAGE = `Использование:
  otklik classify "<текст обращения>" [--model FILE] [--json]
  otklik classify train [--data FILE ...] [--out FILE] [--json]
  otklik classify eval [--data FILE] [--model FILE] [--json]
  otklik classify cv [--data FILE] [--folds N] [--json]   перекрёстная проверка на обучающих данных
`;

const out = (s: string) => process.stdout.write(s);
const fail = (code: string, message: string, json: boolean): number => {
  if (json) out(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`Ошибка (${code}): ${message}\n`);
  return code === "cli.usage" ? 2 : 1;
};

function modelFrom(file: string | undefined): Model {
  return file ? loadModel(readFileSync(file, "utf8")) : loadShippedModel();
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      data: { type: "string", multiple: true },
      out: { type: "string" },
      model: { type: "string" },
      folds: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return fail("cli.usage", `${(e as Error).message}\n\n${USAGE}`, argv.includes("--json"));
  }
  const { values, positionals } = parsed;
  const json = values.json ?? false;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  try {
    const [first, ...rest] = positionals;
    if (first === "train" && rest.length === 0) return runTrain(values.data ?? [], values.out, json);
    if (first === "eval" && rest.length === 0) return runEval(values.data?.[0], values.model, json);
    if (first === "cv" && rest.length === 0) {
      const folds = Number(values.folds ?? 5);
      if (!Number.isInteger(folds) || folds < 2) return fail("cli.usage", "--folds: целое число от 2", json);
      return runCrossValidation(values.data?.[0], folds, json);
    }
    const text = positionals.join(" ").trim();
    if (!text) return fail("cli.usage", `нужен текст обращения\n\n${USAGE}`, json);
    const r = classify(text, modelFrom(values.model));
    if (json) {
      out(
        `${JSON.stringify({ category: r.category, confidence: r.confidence, audience: r.audience, alternatives: r.alternatives, needsTriage: r.needsTriage })}\n`,
      );
    } else {
      out(`Категория: ${categoryTitle(r.category)} (${r.category}), уверенность ${r.confidence.toFixed(2)}\n`);
      out(`Заявитель: ${r.audience}\n`);
      if (r.needsTriage)
        out(`Уверенность ниже порога ${CONFIDENCE_THRESHOLD}: обращение пойдёт на разбор оператору.\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof DataFormatError || e instanceof ModelFormatError) return fail(e.code, e.message, json);
    if (e instanceof SyntaxError) return fail("classifier.bad_model", "файл модели не является JSON", json);
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      return fail("cli.file_not_found", `файл не найден: ${(e as NodeJS.ErrnoException).path}`, json);
    throw e;
  }
}

function runTrain(extraFiles: string[], outFile: string | undefined, json: boolean): number {
  const extra = extraFiles.flatMap((f) => readLabelled(f)).map(({ text, category }) => ({ text, category }));
  const started = performance.now();
  const model = train(extra);
  const ms = Math.round(performance.now() - started);
  if (outFile) writeFileSync(outFile, serializeModel(model));
  const summary = {
    examples: model.examples,
    extra: extra.length,
    features: model.features.length,
    ms,
    out: outFile ?? null,
  };
  if (json) out(`${JSON.stringify(summary)}\n`);
  else {
    out(
      `Обучено на ${model.examples} примерах (из них дополнительных: ${extra.length}), признаков: ${model.features.length}, ${ms} мс.\n`,
    );
    out(outFile ? `Модель записана в ${outFile}.\n` : "Модель не сохранена (укажите --out FILE).\n");
  }
  return 0;
}

function runEval(dataFile: string | undefined, modelFile: string | undefined, json: boolean): number {
  const e = evaluate(modelFrom(modelFile), readLabelled(dataFile ?? TEST_FILE));
  if (json) {
    out(`${JSON.stringify(e)}\n`);
    return 0;
  }
  const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
  out(`Сообщений: ${e.total}. Точность: ${pct(e.accuracy)}. Аудитория верна: ${pct(e.audienceAccuracy)}.\n`);
  out(
    `Порог ${e.threshold}: автоматически маршрутизируется ${pct(e.routedShare)} (точность ${pct(e.accuracyRouted)}), на разбор — остальные (точность ${pct(e.accuracyTriage)}).\n\n`,
  );
  out(`${"категория".padEnd(20)} точность  полнота  примеров\n`);
  for (const c of e.perClass) {
    out(
      `${c.category.padEnd(20)} ${pct(c.precision).padStart(8)} ${pct(c.recall).padStart(8)} ${String(c.support).padStart(9)}\n`,
    );
  }
  const codes = e.perClass.map((c) => c.category);
  const short = (c: string) => c.slice(0, 6);
  out(
    `\nМатрица ошибок (строка — верная категория, столбец — ответ):\n${"".padEnd(20)}${codes.map((c) => short(c).padStart(7)).join("")}\n`,
  );
  for (const a of codes) out(`${a.padEnd(20)}${codes.map((p) => String(e.confusion[a][p]).padStart(7)).join("")}\n`);
  if (e.errors.length > 0) {
    out("\nОшибки:\n");
    for (const x of e.errors) out(`  ${x.expected} → ${x.got} (${x.confidence.toFixed(2)}): ${x.text}\n`);
  }
  return 0;
}

function runCrossValidation(dataFile: string | undefined, folds: number, json: boolean): number {
  const cv = crossValidate(readLabelled(dataFile ?? TRAIN_FILE), folds, (examples) => trainModel(examples));
  if (json) {
    out(`${JSON.stringify(cv)}\n`);
    return 0;
  }
  const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
  out(`Перекрёстная проверка, ${cv.folds} частей, ${cv.total} сообщений. Точность: ${pct(cv.accuracy)}.\n\n`);
  out("порог  без разбора  точность там  точность на разборе\n");
  for (const t of cv.thresholds) {
    const line = `${t.threshold.toFixed(1).padEnd(6)} ${pct(t.routedShare).padStart(11)} ${pct(t.accuracyRouted).padStart(13)}`;
    out(`${line} ${pct(t.accuracyTriage).padStart(20)}\n`);
  }
  return 0;
}
