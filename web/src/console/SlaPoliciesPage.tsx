// SLA policies and the escalation ladder: supervisors read them, administrators edit the policies here
// (the ladder through PUT /api/v1/admin/sla/rules).
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import type { BodyOf, ResponseOf } from "../api/types.ts";
import { DurationField, type DurationValue, durationText, durationValue, joinParts } from "../controls/Duration.tsx";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { CHANNEL_TITLES, PRIORITY_TITLES } from "../labels.ts";
import { Link, useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Policy = ResponseOf<"/api/v1/admin/sla/policies">[number];

const ACTIONS: Record<string, string> = {
  notify_assignee: "напомнить исполнителю",
  notify_supervisors: "сообщить руководителям",
  raise_priority: "поднять приоритет",
  move_up: "передать на следующий уровень",
};
const TRIGGERS: Record<string, string> = { first_response: "первый ответ", resolution: "решение" };
const BASIS: Record<string, string> = { calendar: "календарного времени", working: "рабочего времени" };

type Form = { channel: string; category: string; priority: string; first: DurationValue; res: DurationValue };
const emptyForm: Form = {
  channel: "",
  category: "",
  priority: "",
  first: durationValue(60, "calendar"),
  res: durationValue(480, "working"),
};
const MAX_MINUTES = 60 * 24 * 366;

export function SlaPoliciesPage() {
  useTitle("Сроки ответа и решения — Консоль поддержки");
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
      firstResponse: { minutes: joinParts(form.first), basis: form.first.basis },
      resolution: { minutes: joinParts(form.res), basis: form.res.basis },
    }) as BodyOf<"/api/v1/admin/sla/policies", "post">;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const broken = [joinParts(form.first), joinParts(form.res)].some((m) => !Number.isFinite(m) || m > MAX_MINUTES);
    if (broken) {
      setError("Сроки — целые неотрицательные числа дней, часов и минут, всего не больше 366 дней.");
      return;
    }
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
      first: durationValue(p.firstResponse.minutes, p.firstResponse.basis),
      res: durationValue(p.resolution.minutes, p.resolution.basis),
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

  // «любой канал», «любая категория», «любой приоритет»: the word agrees with the column's noun.
  const any = (word: "любой" | "любая") => <span className="muted">{word}</span>;
  return (
    <div>
      <h1>Сроки ответа и решения</h1>
      <p className="muted">
        Действует самая точная политика: больше совпавших полей — выше; при равенстве канал важнее категории, категория
        важнее приоритета. Время ожидания ответа заявителя в срок не засчитывается. Рабочее время — часы работы
        подразделения обращения в рабочие дни производственного календаря (
        <Link to="/console/admin/departments">подразделения и часы работы</Link>).
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
                <td data-label="Канал">{p.channel ? (CHANNEL_TITLES[p.channel] ?? p.channel) : any("любой")}</td>
                <td data-label="Категория">
                  {p.category ? (categories.find((c) => c.code === p.category)?.title ?? p.category) : any("любая")}
                </td>
                <td data-label="Приоритет">
                  {p.priority ? (PRIORITY_TITLES[p.priority] ?? p.priority) : any("любой")}
                </td>
                <td data-label="Первый ответ">
                  {p.firstResponse.minutes === 0
                    ? "сразу"
                    : `${durationText(p.firstResponse.minutes)} ${BASIS[p.firstResponse.basis]}`}
                </td>
                <td data-label="Решение">{`${durationText(p.resolution.minutes)} ${BASIS[p.resolution.basis]}`}</td>
                {admin && (
                  <td className="nowrap" data-label="Действия">
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
          <div className="form-grid">
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
          </div>
          <DurationField
            id="sla-first"
            legend="Срок первого ответа"
            value={form.first}
            onChange={(first) => setForm({ ...form, first })}
          />
          <DurationField
            id="sla-res"
            legend="Срок решения"
            value={form.res}
            onChange={(res) => setForm({ ...form, res })}
          />
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
              {r.afterMinutes > 0 ? ` и прошло ещё ${durationText(r.afterMinutes)}` : ""}:{" "}
              {ACTIONS[r.action] ?? r.action}
            </li>
          ))}
      </ol>
    </div>
  );
}
