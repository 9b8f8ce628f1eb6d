// Answer templates for the console: write, change and remove them. Placeholders are filled for each request
// when an operator inserts one.
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import type { BodyOf } from "../api/types.ts";
import { optionsFrom, Select } from "../controls/Select.tsx";
import { useRefreshKb } from "./ArticleEditor.tsx";
import type { Template } from "./KbPanel.tsx";

const HINT =
  "Подстановки: {{приветствие}} — «Здравствуйте, Анна!» или «Здравствуйте!», {{имя}} — имя заявителя, {{номер}} — " +
  "номер обращения, {{срок_ответа}} — срок первого ответа, {{срок_решения}} — срок решения, {{срок}} — срок, " +
  "которого заявитель ждёт сейчас. {{оператор|Служба поддержки}} — текст после черты, если значения нет.";

export function TemplatesEditor({ categories }: { categories: { code: string; title: string }[] }) {
  const read = $api.useQuery("get", "/api/v1/kb/templates");
  const list = read.data ?? [];
  const reload = useRefreshKb();
  const [editing, setEditing] = useState<Partial<Template> | null>(null);
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    setError(null);
    // The category codes come from the server's own list.
    const body = {
      title: editing.title ?? "",
      body: editing.body ?? "",
      category: editing.category ?? null,
    } as BodyOf<"/api/v1/kb/templates", "post">;
    try {
      if (editing.id) await api.PUT("/api/v1/kb/templates/{id}", { params: { path: { id: editing.id } }, body });
      else await api.POST("/api/v1/kb/templates", { body });
      setEditing(null);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const remove = async (t: Template) => {
    if (!window.confirm(`Удалить шаблон «${t.title}»?`)) return;
    try {
      await api.DELETE("/api/v1/kb/templates/{id}", { params: { path: { id: t.id } } });
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className="card" aria-labelledby="templates-title">
      <h2 id="templates-title" className="card__title">
        Шаблоны ответов
      </h2>
      <p className="muted">{HINT}</p>
      {error && <p className="alert alert--error">{error}</p>}
      <ul className="kb-editor__history">
        {list.map((t) => (
          <li key={t.id}>
            <strong>{t.title}</strong>
            <span className="muted">{categories.find((c) => c.code === t.category)?.title ?? "любая тема"}</span>
            <button type="button" className="button button--small button--ghost" onClick={() => setEditing(t)}>
              Изменить
            </button>
            <button type="button" className="button button--small button--ghost" onClick={() => void remove(t)}>
              Удалить
            </button>
          </li>
        ))}
      </ul>
      {editing ? (
        <form onSubmit={save} noValidate>
          <div className="field">
            <label htmlFor="tpl-title">Название</label>
            <input
              id="tpl-title"
              value={editing.title ?? ""}
              onChange={(e) => setEditing({ ...editing, title: e.target.value })}
            />
          </div>
          <Select
            id="tpl-category"
            label="Тема"
            value={editing.category ?? ""}
            onChange={(v) => setEditing({ ...editing, category: v || null })}
            empty="любая"
            options={optionsFrom(categories)}
          />
          <div className="field">
            <label htmlFor="tpl-body">Текст</label>
            <textarea
              id="tpl-body"
              rows={6}
              value={editing.body ?? ""}
              onChange={(e) => setEditing({ ...editing, body: e.target.value })}
              aria-describedby="tpl-hint"
            />
            <p className="field__hint" id="tpl-hint">
              {HINT}
            </p>
          </div>
          <div className="actions">
            <button type="submit" className="button">
              Сохранить шаблон
            </button>
            <button type="button" className="button button--ghost" onClick={() => setEditing(null)}>
              Отмена
            </button>
          </div>
        </form>
      ) : (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => setEditing({ title: "", body: "Здравствуйте, {{имя}}!\n\n", category: null })}
        >
          Новый шаблон
        </button>
      )}
    </section>
  );
}
