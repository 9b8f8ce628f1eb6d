// Who changed the directory or the calendar, when, and what: each version is kept whole.
import { useEffect, useState } from "react";
import { api, errorText } from "../api.ts";
import type { Version } from "./types.ts";

const when = new Intl.DateTimeFormat("ru-RU", { dateStyle: "medium", timeStyle: "short" });

export function HistoryPanel({ reload }: { reload: number }) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` is the reason to reread
  useEffect(() => {
    api<Version[]>("/admin/directory/versions?limit=100")
      .then(setVersions)
      .catch((e) => setError(errorText(e)));
  }, [reload]);
  return (
    <section aria-labelledby="dir-history-h" className="dir-panel">
      <h2 id="dir-history-h">История изменений</h2>
      {error && <p className="alert alert--error">{error}</p>}
      {versions && (
        <table className="dir-table">
          <caption className="visually-hidden">Версии справочника и календаря</caption>
          <thead>
            <tr>
              <th scope="col">Когда</th>
              <th scope="col">Кто</th>
              <th scope="col">Что</th>
              <th scope="col">Версия</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id}>
                <td>{when.format(new Date(v.changedAt))}</td>
                <td>{v.changedBy ?? "система"}</td>
                <td>{v.subject}</td>
                <td>
                  <a href={`/api/v1/admin/directory/versions/${v.id}`} target="_blank" rel="noreferrer">
                    YAML №{v.id}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
