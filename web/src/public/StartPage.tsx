import { type FormEvent, useState } from "react";
import { normalizeRequestNumber } from "../../../src/requests/number.ts";
import { IncidentBanner, useActiveIncidents } from "../incidents.tsx";
import { Link, navigate, useTitle } from "../router.tsx";
import { LookupForm } from "./LookupForm.tsx";

/** Pulls the secret token out of whatever the applicant pasted: the whole link or the token alone. */
export function tokenFromInput(input: string): string | null {
  const text = input.trim();
  const m = text.match(/\/track\/([A-Za-z0-9_-]{22,100})/) ?? text.match(/^([A-Za-z0-9_-]{22,100})$/);
  return m?.[1] ?? null;
}

export function StartPage() {
  useTitle("Служба поддержки");
  const [link, setLink] = useState("");
  const [error, setError] = useState<string | null>(null);
  const incidents = useActiveIncidents();
  // A number typed into the link field moves to the lookup form below (its key remounts the form with it).
  const [lookupNumber, setLookupNumber] = useState("");

  const track = (e: FormEvent) => {
    e.preventDefault();
    const token = tokenFromInput(link);
    if (token) {
      navigate(`/track/${token}`);
      return;
    }
    if (normalizeRequestNumber(link)) {
      setLookupNumber(link.trim());
      setError("Это номер обращения, а не ссылка. Укажите ниже почту или телефон из обращения — пришлём ссылку.");
    } else if (link.includes("/track/")) {
      setError("Ссылка обрезана. Скопируйте её целиком из письма или получите новую по номеру обращения ниже.");
    } else {
      setError("Вставьте ссылку целиком, как она пришла после отправки обращения, или получите её по номеру ниже.");
    }
  };

  return (
    <>
      <section className="hero">
        <h1>Служба поддержки</h1>
        <p className="lead">
          Поможем со входом на портал, заявлениями, документами, электронной подписью и техническими ошибками.
        </p>
      </section>

      <IncidentBanner incidents={incidents} />

      <div className="tiles">
        <section className="tile tile--primary" aria-labelledby="write-title">
          <h2 id="write-title">Написать обращение</h2>
          <p>
            Опишите вопрос — вы сразу получите номер обращения и ссылку, по которой будет виден ответ. Можно приложить
            снимок экрана или документ.
          </p>
          <Link to="/new" className="button">
            Написать обращение
          </Link>
        </section>

        <section className="tile" aria-labelledby="track-title">
          <h2 id="track-title">Узнать ответ по обращению</h2>
          <form onSubmit={track} noValidate>
            <div className="field">
              <label htmlFor="track-link">Ссылка для отслеживания</label>
              <input
                id="track-link"
                type="text"
                inputMode="url"
                autoComplete="off"
                value={link}
                onChange={(e) => {
                  setLink(e.target.value);
                  setError(null);
                }}
                aria-describedby={error ? "track-link-error" : "track-link-hint"}
                aria-invalid={error ? true : undefined}
              />
              {error ? (
                <p className="field__error" id="track-link-error">
                  {error}
                </p>
              ) : (
                <p className="field__hint" id="track-link-hint">
                  Она была на экране после отправки и в письме с номером обращения.
                </p>
              )}
            </div>
            <button type="submit" className="button button--secondary">
              Открыть обращение
            </button>
          </form>
          <div className="lookup">
            <LookupForm key={lookupNumber} initialNumber={lookupNumber} onSent={() => setError(null)} />
          </div>
        </section>
      </div>

      <section className="tiles tiles--small" aria-label="Другие разделы">
        <a className="tile tile--link" href="/help">
          <h2>Справка</h2>
          <p>Ответы на частые вопросы: код из СМС, восстановление пароля, статусы заявлений.</p>
        </a>
        <a className="tile tile--link" href="/contacts">
          <h2>Контакты</h2>
          <p>Телефоны службы поддержки, часы работы и звонки из-за рубежа.</p>
        </a>
      </section>
    </>
  );
}
