// SLA policies and the escalation ladder: supervisors read them, administrators edit the policies here
// (the ladder through PUT /api/v1/admin/sla/rules).
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { api, errorText } from "../api.ts";
import { CHANNEL_TITLES, PRIORITY_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Target = { minutes: number; basis: "calendar" | "working" };
type Policy = {
  id: number;
  channel: string | null;
  category: string | null;
  priority: string | null;
  firstResponse: Target;
  resolution: Target;
};
type Rule = { id: number; trigger: string; afterMinutes: number; action: string };

const ACTIONS: Record<string, string> = {
  notify_assignee: "напомнить исполнителю",
  notify_supervisors: "сообщить руководителям",
  raise_priority: "поднять приоритет",
  move_up: "передать на следующий уровень",
};
const TRIGGERS: Record<string, string> = { first_response: "первый ответ", resolution: "решение" };
const BASIS: Record<string, string> = { calendar: "календарных", working: "рабочих" };

const hours = (m: number) =>
  m >= 2880 && m % 1440 === 0 ? `${m / 1440} дн.` : m % 60 === 0 ? `${m / 60} ч` : `${m} мин`;
const emptyForm = {
  channel: "",
  category: "",
  priority: "",
  first: "60",
  firstBasis: "calendar",
  res: "480",
  resBasis: "working",
};

export function SlaPoliciesPage() {
  useTitle("Сроки SLA — консоль");
  const { user, categories } = useConsole();
  const admin = user.role === "administrator";
  const [policies, setPolicies] = useState<Policy[] | null>(null);
  const [rules, setRules] = useState<Rule[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState(emptyForm);
  const [editing, setEditing] = useState<number | null>(null);

  const load = useCallback(() => {
    Promise.all([api<Policy[]>("/admin/sla/policies"), api<Rule[]>("/admin/sla/rules")])
      .then(([p, r]) => {
        setPolicies(p);
        setRules(r);
      })
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);

  const body = () => ({
    channel: form.channel || null,
    category: form.category || null,
    priority: form.priority || null,
    firstResponse: { minutes: Number(form.first), basis: form.firstBasis },
    resolution: { minutes: Number(form.res), basis: form.resBasis },
  });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (editing) await api(`/admin/sla/policies/${editing}`, { method: "PUT", body: body() });
      else await api("/admin/sla/policies", { body: body() });
      setForm(emptyForm);
      setEditing(null);
      load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const edit = (p: Policy) => {
    setEditing(p.id);
    setForm({
      channel: p.channel ?? "",
      category: p.category ?? "",
      priority: p.priority ?? "",
      first: String(p.firstResponse.minutes),
      firstBasis: p.firstResponse.basis,
      res: String(p.resolution.minutes),
      resBasis: p.resolution.basis,
    });
  };

  const remove = async (p: Policy) => {
    if (!window.confirm("Удалить политику?")) return;
    try {
      await api(`/admin/sla/policies/${p.id}`, { method: "DELETE" });
      load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const any = <span className="muted">любой</span>;
  return (
    <div>
      <h1>Сроки SLA</h1>
      <p className="muted">
        Действует самая точная политика: больше совпавших полей — выше; при равенстве канал важнее категории, категория
        важнее приоритета. Время ожидания ответа заявителя в срок не засчитывается.
      </p>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {policies && (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">Канал</th>
              <th scope="col">Категория</th>
              <th scope="col">Приоритет</th>
              <th scope="col">Первый ответ</th>
              <th scope="col">Решение</th>
              {admin && <th scope="col">Действия</th>}
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.id}>
                <td>{p.channel ? (CHANNEL_TITLES[p.channel] ?? p.channel) : any}</td>
                <td>{p.category ? (categories.find((c) => c.code === p.category)?.title ?? p.category) : any}</td>
                <td>{p.priority ? (PRIORITY_TITLES[p.priority] ?? p.priority) : any}</td>
                <td>
                  {p.firstResponse.minutes === 0
                    ? "сразу"
                    : `${hours(p.firstResponse.minutes)} ${BASIS[p.firstResponse.basis]}`}
                </td>
                <td>{`${hours(p.resolution.minutes)} ${BASIS[p.resolution.basis]}`}</td>
                {admin && (
                  <td className="nowrap">
                    <button type="button" className="button button--small button--secondary" onClick={() => edit(p)}>
                      Изменить
                    </button>{" "}
                    <button type="button" className="button button--small button--ghost" onClick={() => void remove(p)}>
                      Удалить
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {admin && (
        <form className="form card" onSubmit={save}>
          <h2 className="card__title">{editing ? "Изменить политику" : "Новая политика"}</h2>
          <div className="filters">
            <div className="field">
              <label htmlFor="sla-channel">Канал</label>
              <select
                id="sla-channel"
                value={form.channel}
                onChange={(e) => setForm({ ...form, channel: e.target.value })}
              >
                <option value="">любой</option>
                {Object.entries(CHANNEL_TITLES).map(([code, title]) => (
                  <option key={code} value={code}>
                    {title}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="sla-category">Категория</label>
              <select
                id="sla-category"
                value={form.category}
                onChange={(e) => setForm({ ...form, category: e.target.value })}
              >
                <option value="">любая</option>
                {categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.title}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="sla-priority">Приоритет</label>
              <select
                id="sla-priority"
                value={form.priority}
                onChange={(e) => setForm({ ...form, priority: e.target.value })}
              >
                <option value="">любой</option>
                {Object.entries(PRIORITY_TITLES).map(([code, title]) => (
                  <option key={code} value={code}>
                    {title}
                  </option>
                ))}
              </select>
            </div>
            <TargetField
              id="sla-first"
              label="Первый ответ, мин"
              basisLabel="Время первого ответа"
              minutes={form.first}
              basis={form.firstBasis}
              onChange={(first, firstBasis) => setForm({ ...form, first, firstBasis })}
            />
            <TargetField
              id="sla-res"
              label="Решение, мин"
              basisLabel="Время решения"
              minutes={form.res}
              basis={form.resBasis}
              onChange={(res, resBasis) => setForm({ ...form, res, resBasis })}
            />
          </div>
          <div className="form__actions">
            <button type="submit" className="button">
              {editing ? "Сохранить" : "Добавить"}
            </button>
            {editing && (
              <button
                type="button"
                className="button button--ghost"
                onClick={() => {
                  setEditing(null);
                  setForm(emptyForm);
                }}
              >
                Отмена
              </button>
            )}
          </div>
        </form>
      )}

      <h2>Автоматическая эскалация</h2>
      <ol className="history">
        {[...rules]
          .sort((a, b) => a.trigger.localeCompare(b.trigger) || a.afterMinutes - b.afterMinutes)
          .map((r) => (
            <li key={r.id}>
              Просрочен срок «{TRIGGERS[r.trigger] ?? r.trigger}»
              {r.afterMinutes > 0 ? ` и прошло ещё ${hours(r.afterMinutes)}` : ""}: {ACTIONS[r.action] ?? r.action}
            </li>
          ))}
      </ol>
    </div>
  );
}

/** A target: minutes, and whether they count in calendar or working time. */
function TargetField(props: {
  id: string;
  label: string;
  basisLabel: string;
  minutes: string;
  basis: string;
  onChange: (minutes: string, basis: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={0}
        value={props.minutes}
        onChange={(e) => props.onChange(e.target.value, props.basis)}
      />
      <select
        aria-label={props.basisLabel}
        value={props.basis}
        onChange={(e) => props.onChange(props.minutes, e.target.value)}
      >
        <option value="calendar">календарное</option>
        <option value="working">рабочее</option>
      </select>
    </div>
  );
}
