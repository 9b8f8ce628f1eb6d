import { useLayoutEffect, useRef } from "react";
import type { ResponseOf } from "../api/types.ts";
import { displayRequestNumber, durationGenitive, formatDeadline } from "../format.ts";
import { Link, useTitle } from "../router.tsx";
import { CopyButton } from "./CopyButton.tsx";

export type Registered = ResponseOf<"/api/v1/requests", "post">;

export function SuccessScreen({ result, onAnother }: { result: Registered; onAnother: () => void }) {
  useTitle(`Обращение № ${displayRequestNumber(result.number)} зарегистрировано — Служба поддержки`);
  const heading = useRef<HTMLHeadingElement>(null);
  // Before the browser paints, so the heading never shows without the focus a screen reader announces.
  useLayoutEffect(() => heading.current?.focus(), []);
  const trackPath = new URL(result.trackingUrl, window.location.href).pathname;
  const left = new Date(result.dueAt).getTime() - Date.now();

  return (
    <section className="narrow success">
      <div className="success__badge" aria-hidden="true">
        ✓
      </div>
      <h1 ref={heading} tabIndex={-1}>
        Обращение зарегистрировано
      </h1>
      <p className="success__label">Номер обращения</p>
      <p className="request-number" data-number={result.number}>
        {displayRequestNumber(result.number)}
      </p>
      <p className="success__due">
        Ответим в течение <strong>{durationGenitive(left)}</strong> — не позже{" "}
        <strong>
          <time dateTime={result.dueAt}>{formatDeadline(result.dueAt)}</time>
        </strong>
        .
      </p>

      <div className="panel">
        <h2 className="panel__title">Ссылка для отслеживания</h2>
        <p>
          По ней видны статус и ответ — без входа на портал. Сохраните её: ссылка секретная, не пересылайте её
          посторонним.
        </p>
        <div className="field">
          <label htmlFor="tracking-url">Ваша ссылка</label>
          <input id="tracking-url" type="text" readOnly value={result.trackingUrl} onFocus={(e) => e.target.select()} />
        </div>
        <div className="actions">
          <CopyButton text={result.trackingUrl} label="Скопировать ссылку" inputId="tracking-url" />
        </div>
      </div>

      <div className="actions">
        <Link to={trackPath} className="button">
          Открыть страницу обращения
        </Link>
        <button type="button" className="button button--link" onClick={onAnother}>
          Написать ещё одно обращение
        </button>
      </div>
    </section>
  );
}
