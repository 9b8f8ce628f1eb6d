// For supervisors and administrators: what the request form's suggestions achieved and how applicants rate
// the articles. A deflected visit opened an article and left the form unsent.
import { useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { Select } from "../controls/Select.tsx";

const PERIODS = [
  { value: "7", label: "7 дней" },
  { value: "30", label: "30 дней" },
  { value: "90", label: "90 дней" },
];

const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)} %` : "—");

export function KbStats() {
  const [days, setDays] = useState(30);
  const read = $api.useQuery("get", "/api/v1/kb/stats", { params: { query: { days } } });
  const stats = read.data;
  const error = failureOf(read)?.message;

  const t = stats?.totals;
  const rows = (stats?.articles ?? []).filter((a) => a.shown + a.helpfulYes + a.helpfulNo > 0).slice(0, 15);
  return (
    <section className="card" aria-labelledby="kb-stats-title">
      <h2 id="kb-stats-title" className="card__title">
        Самообслуживание
      </h2>
      <Select id="kb-stats-days" label="Период" value={days} onChange={(v) => setDays(Number(v))} options={PERIODS} />
      {error && <p className="field__error">{error}</p>}
      {t && (
        <dl className="facts">
          <dt>Посещений формы с подсказками</dt>
          <dd>{t.visitsShown}</dd>
          <dt>Открыли статью</dt>
          <dd>
            {t.visitsOpened} ({share(t.visitsOpened, t.visitsShown)})
          </dd>
          <dt>Ушли после статьи, не отправив обращение</dt>
          <dd>
            {t.visitsDeflected} ({share(t.visitsDeflected, t.visitsShown)})
          </dd>
          <dt>Отправили обращение</dt>
          <dd>{t.visitsSubmitted}</dd>
        </dl>
      )}
      {rows.length > 0 && (
        <table className="queue-table">
          <caption className="visually-hidden">Статьи: подсказки и оценки</caption>
          <thead>
            <tr>
              <th scope="col">Статья</th>
              <th scope="col">Показана</th>
              <th scope="col">Открыта</th>
              <th scope="col">Вместо обращения</th>
              <th scope="col">Полезна: да / нет</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.slug}>
                <td>{a.title}</td>
                <td>{a.shown}</td>
                <td>{a.opened}</td>
                <td>{a.deflected}</td>
                <td>
                  {a.helpfulYes} / {a.helpfulNo}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
