// API tokens: everyone sees and revokes their own and makes new ones; administrators see and revoke everyone's.
// A new token is shown once, right after it is made (only its hash is kept).
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { formatDateTime } from "../format.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

/** One's own tokens, or (for administrators) everyone's with whose they are. */
type Token = ResponseOf<"/api/v1/tokens">[number] & { user?: ResponseOf<"/api/v1/admin/tokens">[number]["user"] };

export function TokensPage() {
  useTitle("Токены API — Консоль поддержки");
  const { user } = useConsole();
  const admin = user.role === "administrator";
  const queries = useQueryClient();
  const own = $api.useQuery("get", "/api/v1/tokens", {}, { enabled: !admin });
  const all = $api.useQuery("get", "/api/v1/admin/tokens", {}, { enabled: admin });
  const tokens: Token[] | null = (admin ? all.data : own.data) ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(admin ? all : own)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [made, setMade] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);

  const load = () =>
    queries.invalidateQueries({
      predicate: ({ queryKey }) => queryKey[1] === "/api/v1/tokens" || queryKey[1] === "/api/v1/admin/tokens",
    });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const t = await ok(api.POST("/api/v1/tokens", { body: { name: name.trim() } }));
      setMade(t.token);
      setName("");
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (t: Token) => {
    if (!window.confirm(`Отозвать токен «${t.name}»? Программы, которые им пользуются, сразу получат отказ.`)) return;
    setError(null);
    try {
      const own = !t.user || t.user.id === user.id;
      const where = { params: { path: { id: t.id } } };
      await (own ? api.DELETE("/api/v1/tokens/{id}", where) : api.DELETE("/api/v1/admin/tokens/{id}", where));
      setNotice(`Токен «${t.name}» отозван.`);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div>
      <h1>Токены API</h1>
      <p className="muted">
        Токен даёт программе доступ к API от имени сотрудника: заголовок <code>Authorization: Bearer …</code>.{" "}
        {admin ? "Здесь токены всех сотрудников." : "Здесь ваши токены."}
      </p>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="alert" role="status">
          {notice}
        </p>
      )}
      {made && (
        <div className="alert" role="status">
          <p>Новый токен — скопируйте его сейчас, второй раз он показан не будет:</p>
          <p>
            <code style={{ wordBreak: "break-all" }}>{made}</code>
          </p>
          <button type="button" className="button button--small button--ghost" onClick={() => setMade(null)}>
            Скопировал, скрыть
          </button>
        </div>
      )}
      {tokens === null ? (
        <p className="loading">Загрузка…</p>
      ) : tokens.length === 0 ? (
        <p className="empty">Токенов нет.</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">Назначение</th>
              {admin && <th scope="col">Сотрудник</th>}
              <th scope="col">Начало токена</th>
              <th scope="col">Создан</th>
              <th scope="col">Использован</th>
              <th scope="col">Состояние</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token={t.id}>
                <td data-label="Назначение">{t.name}</td>
                {admin && (
                  <td data-label="Сотрудник">
                    {t.user?.name}
                    {t.user && !t.user.active && <span className="muted"> (нет доступа)</span>}
                  </td>
                )}
                <td data-label="Начало токена">
                  <code>{t.prefix ? `${t.prefix}…` : `№ ${t.id}`}</code>
                </td>
                <td data-label="Создан" className="nowrap">
                  {formatDateTime(t.createdAt)}
                </td>
                <td data-label="Использован" className="nowrap">
                  {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : <span className="muted">ни разу</span>}
                </td>
                <td data-label="Состояние">
                  {t.revokedAt ? (
                    <span className="muted">отозван {formatDateTime(t.revokedAt)}</span>
                  ) : (
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      aria-label={`Отозвать токен «${t.name}»`}
                      onClick={() => void revoke(t)}
                    >
                      Отозвать
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form className="form card" onSubmit={create} noValidate>
        <h2 className="card__title">Новый токен</h2>
        <div className="field">
          <label htmlFor="token-name">Назначение</label>
          <input
            id="token-name"
            value={name}
            maxLength={100}
            placeholder="например, выгрузка в учётную систему"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="form__actions">
          <button type="submit" className="button" disabled={busy || !name.trim()}>
            Создать токен
          </button>
        </div>
      </form>
    </div>
  );
}
