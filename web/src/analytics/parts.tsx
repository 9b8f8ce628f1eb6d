// Small pieces the dashboards share: a figure with its change, a table with its export links.
import type { ReactNode } from "react";
import { change } from "./format.ts";

export function Kpi(props: {
  title: string;
  value: string;
  now?: number | null;
  before?: number | null;
  better?: "up" | "down";
  hint?: string;
}) {
  const c =
    props.better && props.now !== undefined && props.before !== undefined
      ? change(props.now, props.before, props.better)
      : null;
  return (
    <div className="kpi">
      <div className="kpi__title">{props.title}</div>
      <div className="kpi__value">{props.value}</div>
      {c && (
        <div className={`kpi__change${c.good === null ? "" : c.good ? " kpi__change--good" : " kpi__change--bad"}`}>
          {c.text} <span className="muted">к прошлому периоду</span>
        </div>
      )}
      {props.hint && <div className="kpi__hint muted">{props.hint}</div>}
    </div>
  );
}

export type Col<T> = { title: string; value: (row: T) => ReactNode; numeric?: boolean };

export function DataTable<T>(props: {
  title: string;
  rows: T[];
  columns: Col<T>[];
  exportQuery?: string;
  empty?: string;
}) {
  return (
    <section className="panel analytics-table" aria-label={props.title}>
      <div className="analytics-table__head">
        <h2 className="panel__title">{props.title}</h2>
        {props.exportQuery && (
          <span className="analytics-export">
            Скачать:{" "}
            <a href={`/api/v1/analytics/export?${props.exportQuery}&format=csv`} download>
              CSV
            </a>{" "}
            <a href={`/api/v1/analytics/export?${props.exportQuery}&format=xlsx`} download>
              XLSX
            </a>
          </span>
        )}
      </div>
      {props.rows.length === 0 ? (
        <p className="muted">{props.empty ?? "Нет данных за период."}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1)
        <section className="analytics-table__scroll" tabIndex={0} aria-label={props.title}>
          <table className="queue-table">
            <thead>
              <tr>
                {props.columns.map((c) => (
                  <th key={c.title} className={c.numeric ? "num" : undefined}>
                    {c.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
                <tr key={i}>
                  {props.columns.map((c) => (
                    <td key={c.title} className={c.numeric ? "num" : undefined}>
                      {c.value(r)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
