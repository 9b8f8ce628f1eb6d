// For supervisors and administrators: what the request form's suggestions achieved and how applicants rate
// the articles. A deflected visit opened an article and left the form unsent.
import { useEffect, useState } from "react";
import { api, errorText } from "../api.ts";

type Stats = {
  totals: { visitsShown: number; visitsOpened: number; visitsSubmitted: number; visitsDeflected: number };
  articles: {
    slug: string;
    title: string;
    shown: number;
    opened: number;
    deflected: number;
    helpfulYes: number;
    helpfulNo: number;
  }[];
};

const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)} %` : "—");

export function KbStats() {
  const [days, setDays] = useState(30);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Stats>(`/kb/stats?days=${days}`)
      .then(setStats)
      .catch((e) => setError(errorText(e)));
  }, [days]);

  const t = stats?.totals;
  const rows = (stats?.articles ?? []).filter((a) => a.shown + a.helpfulYes + a.helpfulNo > 0).slice(0, 15);
  return (
    <section className="card" aria-labelledby="kb-stats-title">
      <h2 id="kb-stats-title" className="card__title">
        Самообслуживание
      </h2>
      <div className="field field--inline">
        <label htmlFor="kb-stats-days">Период</label>
        <select id="kb-stats-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={7}>7 дней</option>
          <option value={30}>30 дней</option>
          <option value={90}>90 дней</option>
        </select>
      </div>
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
