// Employees, for administrators: who has an account, and switching one off (sessions end, tokens are revoked, no
// sign-in, no new work; the name stays in the history) or on again.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { ROLE_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Account = ResponseOf<"/api/v1/admin/users">[number];

export function StaffPage() {
  useTitle("Сотрудники — консоль");
  const { user, departments } = useConsole();
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/admin/users");
  const accounts = read.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const toggle = async (a: Account) => {
    const active = !a.active;
    if (
      !active &&
      !window.confirm(
        `Отключить ${a.name}? Сессии и токены перестанут действовать сразу, вход будет запрещён, новые обращения и чаты не придут.`,
      )
    )
      return;
    setBusy(a.id);
    setError(null);
    setNotice(null);
    try {
      await api.PATCH("/api/v1/admin/users/{id}", { params: { path: { id: a.id } }, body: { active } });
      setNotice(active ? `${a.name} снова может входить.` : `${a.name}: учётная запись отключена.`);
      // The staff list of the whole console says who is active too.
      await queries.invalidateQueries({
        predicate: ({ queryKey }) => queryKey[1] === "/api/v1/admin/users" || queryKey[1] === "/api/v1/staff",
      });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
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
      {accounts === null ? (
        <p className="loading">Загрузка…</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">Имя</th>
              <th scope="col">Почта</th>
              <th scope="col">Роль</th>
              <th scope="col">Подразделение</th>
              <th scope="col">Состояние</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id} data-user={a.id}>
                <td data-label="Имя">{a.name}</td>
                <td data-label="Почта">{a.email}</td>
                <td data-label="Роль">{ROLE_TITLES[a.role] ?? a.role}</td>
                <td data-label="Подразделение">
                  {departments.find((d) => d.id === a.departmentId)?.name ?? <span className="muted">—</span>}
                </td>
                <td data-label="Состояние">
                  <span className={a.active ? undefined : "muted"}>{a.active ? "действует" : "нет доступа"}</span>{" "}
                  {a.id !== user.id && (
                    <button
                      type="button"
                      className={`button button--small ${a.active ? "button--ghost" : "button--secondary"}`}
                      aria-label={`${a.active ? "Отключить" : "Включить"}: ${a.name}`}
                      disabled={busy === a.id}
                      onClick={() => void toggle(a)}
                    >
                      {a.active ? "Отключить" : "Включить"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
