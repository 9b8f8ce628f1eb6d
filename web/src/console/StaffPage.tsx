// Employees. Administrators invite them (a one-time link to set a password, shown once; with single sign-on only, no
// link), change their role and department, reset a password or a lost second factor, switch them off (sessions end,
// tokens are revoked, no sign-in, no new work; the name stays in the history) or on again. Supervisors read the list.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { optionsOf, Select } from "../controls/Select.tsx";
import { formatDeadline } from "../format.ts";
import { ROLE_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Account = ResponseOf<"/api/v1/admin/users">[number];
type Role = Account["role"];
/** A one-time link as the server gave it: shown until the administrator closes it, never again. */
type Shown = { who: string; what: string; url: string; expiresAt: string };

export function StaffPage() {
  useTitle("Сотрудники — Консоль поддержки");
  const { user, departments } = useConsole();
  const admin = user.role === "administrator";
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/admin/users");
  const accounts = read.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  // The staff list of the whole console says who is active, and in which role, too.
  const reload = () =>
    queries.invalidateQueries({
      predicate: ({ queryKey }) => queryKey[1] === "/api/v1/admin/users" || queryKey[1] === "/api/v1/staff",
    });

  const act = async (a: Account, run: () => Promise<string | null>) => {
    setBusy(a.id);
    setError(null);
    setNotice(null);
    try {
      const text = await run();
      if (text) setNotice(text);
      await reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const patch = (a: Account, body: { active?: boolean; role?: Role; departmentId?: number | null }) =>
    ok(api.PATCH("/api/v1/admin/users/{id}", { params: { path: { id: a.id } }, body }));

  const toggle = (a: Account) => {
    const active = !a.active;
    const question = `Отключить ${a.name}? Сессии и токены перестанут действовать сразу, вход будет запрещён, новые обращения и чаты не придут.`;
    if (!active && !window.confirm(question)) return;
    void act(a, async () => {
      await patch(a, { active });
      return active ? `${a.name} снова может входить.` : `${a.name}: учётная запись отключена.`;
    });
  };

  const resetPassword = (a: Account) => {
    if (!window.confirm(`Сбросить пароль ${a.name}? Старый пароль перестанет действовать сразу, сессии завершатся.`))
      return;
    void act(a, async () => {
      const link = await ok(api.POST("/api/v1/admin/users/{id}/password-reset", { params: { path: { id: a.id } } }));
      setShown({ who: a.name, what: "сброса пароля", ...link });
      return null;
    });
  };

  const resetTotp = (a: Account) => {
    if (!window.confirm(`Выключить второй фактор ${a.name}? Войти можно будет по одному паролю.`)) return;
    void act(a, async () => {
      await ok(api.DELETE("/api/v1/admin/users/{id}/totp", { params: { path: { id: a.id } } }));
      return `${a.name}: второй фактор выключен.`;
    });
  };

  const departmentName = (id: number | null) => departments.find((d) => d.id === id)?.name;

  return (
    <div className="admin-page">
      <h1>Сотрудники</h1>
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
      {shown && <LinkShownOnce shown={shown} onClose={() => setShown(null)} />}
      {admin && (
        <InviteForm
          onInvited={(name, link) => {
            setError(null);
            if (link) setShown({ who: name, what: "приглашения", ...link });
            else setNotice(`${name}: учётная запись создана, вход — через единый вход организации.`);
            void reload();
          }}
          onError={setError}
        />
      )}
      {accounts === null ? (
        <p className="loading">Загрузка…</p>
      ) : (
        <table className="data-table staff-table">
          <thead>
            <tr>
              <th scope="col">Имя</th>
              <th scope="col">Роль</th>
              <th scope="col">Подразделение</th>
              <th scope="col">Состояние</th>
              {admin && <th scope="col">Действия</th>}
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => {
              const self = a.id === user.id;
              return (
                <tr key={a.id} data-user={a.id} className={a.active ? undefined : "is-inactive"}>
                  <td data-label="Имя">
                    {a.name}
                    <br />
                    <span className="muted staff-table__email">{a.email}</span>
                  </td>
                  <td data-label="Роль">
                    {admin && !self && a.active ? (
                      <Select
                        label={`Роль: ${a.name}`}
                        hideLabel
                        actsAtOnce
                        value={a.role}
                        disabled={busy === a.id}
                        options={optionsOf(ROLE_TITLES)}
                        onChange={(role) =>
                          void act(a, async () => {
                            await patch(a, { role: role as Role });
                            return `${a.name}: роль — ${ROLE_TITLES[role] ?? role}. Сессии сотрудника завершены.`;
                          })
                        }
                      />
                    ) : (
                      (ROLE_TITLES[a.role] ?? a.role)
                    )}
                  </td>
                  <td data-label="Подразделение">
                    {admin && a.active ? (
                      <Select
                        label={`Подразделение: ${a.name}`}
                        hideLabel
                        actsAtOnce
                        value={a.departmentId === null ? "" : String(a.departmentId)}
                        empty="без подразделения"
                        disabled={busy === a.id}
                        options={departments.map((d) => ({ value: String(d.id), label: d.name }))}
                        onChange={(v) =>
                          void act(a, async () => {
                            await patch(a, { departmentId: v ? Number(v) : null });
                            return `${a.name}: ${v ? `подразделение — ${departmentName(Number(v))}` : "без подразделения"}.`;
                          })
                        }
                      />
                    ) : (
                      (departmentName(a.departmentId) ?? <span className="muted">—</span>)
                    )}
                  </td>
                  <td data-label="Состояние">
                    <span className={a.active ? undefined : "muted"}>{a.active ? "действует" : "нет доступа"}</span>
                    {a.active && !a.hasPassword && <span className="muted"> · пароль не задан</span>}
                    {a.secondFactor && <span className="muted"> · второй фактор</span>}
                  </td>
                  {admin && (
                    <td data-label="Действия">
                      {!self && (
                        <div className="row-actions">
                          {a.active && (
                            <button
                              type="button"
                              className="button button--small button--secondary"
                              aria-label={`Сбросить пароль: ${a.name}`}
                              disabled={busy === a.id}
                              onClick={() => resetPassword(a)}
                            >
                              Сбросить пароль
                            </button>
                          )}
                          {a.secondFactor && (
                            <button
                              type="button"
                              className="button button--small button--secondary"
                              aria-label={`Выключить второй фактор: ${a.name}`}
                              disabled={busy === a.id}
                              onClick={() => resetTotp(a)}
                            >
                              Выключить второй фактор
                            </button>
                          )}
                          <button
                            type="button"
                            className={`button button--small ${a.active ? "button--danger" : "button--secondary"}`}
                            aria-label={`${a.active ? "Отключить" : "Включить"}: ${a.name}`}
                            disabled={busy === a.id}
                            onClick={() => toggle(a)}
                          >
                            {a.active ? "Отключить" : "Включить"}
                          </button>
                        </div>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function LinkShownOnce({ shown, onClose }: { shown: Shown; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown.url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className="card card--warning one-time-link" aria-labelledby="one-time-link-title">
      <h2 id="one-time-link-title" className="card__title">
        Ссылка {shown.what}: {shown.who}
      </h2>
      <p>
        Передайте её сотруднику: по ней можно задать пароль. Ссылка показывается один раз и действует до{" "}
        {formatDeadline(shown.expiresAt)}; новая ссылка заменяет прежнюю.
      </p>
      <label className="visually-hidden" htmlFor="one-time-link">
        Ссылка
      </label>
      <input id="one-time-link" readOnly value={shown.url} onFocus={(e) => e.currentTarget.select()} />
      <div className="actions">
        <button type="button" className="button button--small" onClick={() => void copy()}>
          {copied ? "Скопировано" : "Скопировать"}
        </button>
        <button type="button" className="button button--small button--ghost" onClick={onClose}>
          Закрыть
        </button>
      </div>
    </section>
  );
}

function InviteForm(props: {
  onInvited: (name: string, link: { url: string; expiresAt: string } | null) => void;
  onError: (text: string) => void;
}) {
  const { departments } = useConsole();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [department, setDepartment] = useState("");
  const [sending, setSending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSending(true);
    try {
      const made = await ok(
        api.POST("/api/v1/admin/users/invite", {
          body: { email: email.trim(), name: name.trim(), role, departmentId: department ? Number(department) : null },
        }),
      );
      props.onInvited(made.account.name, made.link);
      setEmail("");
      setName("");
    } catch (err) {
      props.onError(errorText(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <details className="card disclosure">
      <summary>Пригласить сотрудника</summary>
      <form className="form" onSubmit={submit}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="invite-name">Имя и фамилия</label>
            <input id="invite-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="invite-email">Электронная почта</label>
            <input
              id="invite-email"
              type="email"
              required
              spellCheck={false}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <Select
            id="invite-role"
            label="Роль"
            value={role}
            onChange={(r) => setRole(r as Role)}
            options={optionsOf(ROLE_TITLES)}
          />
          <Select
            id="invite-department"
            label="Подразделение"
            value={department}
            empty="без подразделения"
            onChange={setDepartment}
            options={departments.map((d) => ({ value: String(d.id), label: d.name }))}
          />
        </div>
        <div className="form__actions">
          <button type="submit" className="button" disabled={sending}>
            {sending ? "Приглашаем…" : "Пригласить"}
          </button>
        </div>
      </form>
    </details>
  );
}
