// The directory as a file: download it, check a file without saving, load a file in place of the directory.
import { useState } from "react";
import { ApiError, api, errorText, ok } from "../api/client.ts";
import { ProblemList } from "./ProblemList.tsx";
import type { CheckReport, Problem } from "./types.ts";

export function YamlPanel({ onImported }: { onImported: () => void }) {
  const [yaml, setYaml] = useState("");
  const [report, setReport] = useState<CheckReport | null>(null);
  const [refused, setRefused] = useState<{ message: string; problems: Problem[] } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setYaml(await file.text());
    setReport(null);
    setRefused(null);
    setDone(null);
  };

  const run = async (mode: "check" | "import") => {
    setBusy(true);
    setReport(null);
    setRefused(null);
    setDone(null);
    try {
      if (mode === "check") setReport(await ok(api.POST("/api/v1/admin/directory/check", { body: { yaml } })));
      else {
        const r = await ok(api.PUT("/api/v1/admin/directory", { body: { yaml } }));
        setDone(`Справочник загружен. Предупреждений: ${r.warnings}.`);
        setReport(r);
        onImported();
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === "directory_invalid")
        setRefused({ message: e.message, problems: e.fieldErrors as unknown as Problem[] });
      else setRefused({ message: errorText(e), problems: [] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="dir-yaml-h" className="dir-panel">
      <h2 id="dir-yaml-h">Файл справочника</h2>
      <p>
        <a className="button button--secondary" href="/api/v1/admin/directory/export" download="directory.yaml">
          Выгрузить YAML
        </a>
      </p>
      <div className="field">
        <label htmlFor="dir-yaml-file">Файл для проверки или загрузки</label>
        <input
          id="dir-yaml-file"
          type="file"
          accept=".yaml,.yml,text/yaml"
          onChange={(e) => void readFile(e.target.files?.[0])}
        />
      </div>
      <div className="field">
        <label htmlFor="dir-yaml-text">Или вставьте текст файла</label>
        <textarea
          id="dir-yaml-text"
          rows={10}
          className="dir-yaml"
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          spellCheck={false}
        />
      </div>
      <div className="form__actions">
        <button
          type="button"
          className="button button--secondary"
          disabled={!yaml.trim() || busy}
          onClick={() => void run("check")}
        >
          Проверить
        </button>
        <button type="button" className="button" disabled={!yaml.trim() || busy} onClick={() => void run("import")}>
          Загрузить в справочник
        </button>
      </div>
      {done && (
        <p className="alert dir-ok" role="status">
          {done}
        </p>
      )}
      {report && !done && (
        <p role="status" className={report.ok ? "alert dir-ok" : "alert alert--error"}>
          {report.ok ? "Ошибок нет" : `Ошибок: ${report.errors}`}, предупреждений: {report.warnings}.
        </p>
      )}
      {report && <ProblemList problems={report.problems} caption="Замечания проверки" />}
      {refused && (
        <div className="alert alert--error" role="alert">
          <p>{refused.message}</p>
          <ProblemList problems={refused.problems} caption="Почему файл не загружен" />
        </div>
      )}
    </section>
  );
}
