// Who changed the directory or the calendar, when, and what: each version is kept whole.
import { $api, failureOf } from "../api/client.ts";

const when = new Intl.DateTimeFormat("ru-RU", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Moscow" });

/** Read each time the tab opens, and again after a change to the directory or the calendar (invalidated). */
export function HistoryPanel() {
  const read = $api.useQuery("get", "/api/v1/admin/directory/versions", { params: { query: { limit: 100 } } });
  const versions = read.data ?? null;
  const error = failureOf(read)?.message ?? null;
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
