// SLA policies and the escalation ladder: supervisors read them, administrators edit the policies here
// (the ladder through PUT /api/v1/admin/sla/rules).
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import type { BodyOf, ResponseOf } from "../api/types.ts";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { CHANNEL_TITLES, PRIORITY_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Policy = ResponseOf<"/api/v1/admin/sla/policies">[number];
const BASIS_CHOICES = [
  { value: "calendar", label: "календарное" },
  { value: "working", label: "рабочее" },
];

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
  const queries = useQueryClient();
  const readPolicies = $api.useQuery("get", "/api/v1/admin/sla/policies");
  const readRules = $api.useQuery("get", "/api/v1/admin/sla/rules");
  const policies = readPolicies.data ?? null;
  const rules = readRules.data ?? [];
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(readPolicies)?.message ?? failureOf(readRules)?.message ?? null;
  const [form, setForm] = useState(emptyForm);
  const [editing, setEditing] = useState<number | null>(null);
  const load = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/admin/sla/policies"] });

  // The codes come from the server's own lists.
  const body = () =>
    ({
      channel: form.channel || null,
      category: form.category || null,
      priority: form.priority || null,
      firstResponse: { minutes: Number(form.first), basis: form.firstBasis },
      resolution: { minutes: Number(form.res), basis: form.resBasis },
    }) as BodyOf<"/api/v1/admin/sla/policies", "post">;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (editing)
        await api.PUT("/api/v1/admin/sla/policies/{id}", { params: { path: { id: editing } }, body: body() });
      else await api.POST("/api/v1/admin/sla/policies", { body: body() });
      setForm(emptyForm);
      setEditing(null);
      await load();
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
      await api.DELETE("/api/v1/admin/sla/policies/{id}", { params: { path: { id: p.id } } });
      await load();
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
            <Select
              id="sla-channel"
              label="Канал"
              value={form.channel}
              onChange={(channel) => setForm({ ...form, channel })}
              empty="любой"
              options={optionsOf(CHANNEL_TITLES)}
            />
            <Select
              id="sla-category"
              label="Категория"
              value={form.category}
              onChange={(category) => setForm({ ...form, category })}
              empty="любая"
              options={optionsFrom(categories)}
            />
            <Select
              id="sla-priority"
              label="Приоритет"
              value={form.priority}
              onChange={(priority) => setForm({ ...form, priority })}
              empty="любой"
              options={optionsOf(PRIORITY_TITLES)}
            />
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
      <Select
        label={props.basisLabel}
        hideLabel
        value={props.basis}
        onChange={(basis) => props.onChange(props.minutes, basis)}
        options={BASIS_CHOICES}
      />
    </div>
  );
}
