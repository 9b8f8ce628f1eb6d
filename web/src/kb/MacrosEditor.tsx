// Macros for the console (supervisors and administrators): a template with the status, category and assignee that go
// with it, applied from the reply box in one action.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { BodyOf } from "../api/types.ts";
import { Select } from "../controls/Select.tsx";
import { STATUS_TITLES } from "../labels.ts";

const STATUSES = ["in_progress", "waiting", "resolved", "closed"] as const;
const ASSIGN = { self: "Тому, кто применяет", nobody: "Никому (в очередь подразделения)" } as const;
type Draft = {
  title: string;
  templateId: string;
  visibility: string;
  status: string;
  category: string;
  assign: string;
};
const EMPTY: Draft = { title: "", templateId: "", visibility: "public", status: "", category: "", assign: "" };

export function MacrosEditor({ categories }: { categories: { code: string; title: string }[] }) {
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/kb/macros");
  const templates = $api.useQuery("get", "/api/v1/kb/templates").data ?? [];
  const list = read.data ?? [];
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const reload = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/kb/macros"] });
  const set = (k: keyof Draft) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const titleOf = (table: readonly { code: string; title: string }[], code: string | null) =>
    table.find((c) => c.code === code)?.title ?? code;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = {
      title: draft.title,
      templateId: draft.templateId ? Number(draft.templateId) : null,
      visibility: draft.visibility,
      status: draft.status || null,
      category: draft.category || null,
      assign: draft.assign || null,
    } as BodyOf<"/api/v1/kb/macros", "post">;
    try {
      await ok(api.POST("/api/v1/kb/macros", { body }));
      setDraft(EMPTY);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const remove = async (id: number, title: string) => {
    if (!window.confirm(`Удалить макрос «${title}»?`)) return;
    try {
      await ok(api.DELETE("/api/v1/kb/macros/{id}", { params: { path: { id } } }));
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className="card" aria-labelledby="macros-title">
      <h2 id="macros-title" className="card__title">
        Макросы
      </h2>
      <p className="muted">Ответ по шаблону, статус, категория и исполнитель — одним действием из окна ответа.</p>
      {error && <p className="alert alert--error">{error}</p>}
      {list.length === 0 ? (
        <p className="muted">Макросов пока нет.</p>
      ) : (
        <ul className="history">
          {list.map((m) => (
            <li key={m.id}>
              <strong>{m.title}</strong>
              <span className="muted">
                {" "}
                —{" "}
                {[
                  m.templateId ? `шаблон «${templates.find((t) => t.id === m.templateId)?.title ?? "—"}»` : null,
                  m.status ? `статус «${STATUS_TITLES[m.status] ?? m.status}»` : null,
                  m.category ? `категория «${titleOf(categories, m.category)}»` : null,
                  m.assign ? ASSIGN[m.assign].toLowerCase() : null,
                ]
                  .filter(Boolean)
                  .join(", ")}
              </span>{" "}
              <button
                type="button"
                className="button button--small button--ghost"
                onClick={() => void remove(m.id, m.title)}
                aria-label={`Удалить макрос «${m.title}»`}
              >
                Удалить
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={save} className="stack">
        <div className="field">
          <label htmlFor="macro-title">Название</label>
          <input id="macro-title" value={draft.title} maxLength={200} onChange={(e) => set("title")(e.target.value)} />
        </div>
        <Select
          id="macro-template"
          label="Шаблон ответа"
          value={draft.templateId}
          onChange={set("templateId")}
          empty="Без ответа"
          options={templates.map((t) => ({ value: String(t.id), label: t.title }))}
        />
        <Select
          id="macro-visibility"
          label="Ответ"
          value={draft.visibility}
          onChange={set("visibility")}
          options={[
            { value: "public", label: "Заявителю" },
            { value: "note", label: "Внутренней заметкой" },
          ]}
        />
        <Select
          id="macro-status"
          label="Статус"
          value={draft.status}
          onChange={set("status")}
          empty="Не менять"
          options={STATUSES.map((s) => ({ value: s, label: STATUS_TITLES[s] ?? s }))}
        />
        <Select
          id="macro-category"
          label="Категория"
          value={draft.category}
          onChange={set("category")}
          empty="Не менять"
          options={categories.map((c) => ({ value: c.code, label: c.title }))}
        />
        <Select
          id="macro-assign"
          label="Исполнитель"
          value={draft.assign}
          onChange={set("assign")}
          empty="Не менять"
          options={Object.entries(ASSIGN).map(([value, label]) => ({ value, label }))}
        />
        <div className="actions">
          <button type="submit" className="button">
            Добавить макрос
          </button>
        </div>
      </form>
    </section>
  );
}
