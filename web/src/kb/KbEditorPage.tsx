// /console/kb: the knowledge base for staff. Administrators edit articles with a live preview (the same safe
// renderer as the help centre), check them, publish or unpublish, and browse and restore versions.
import { useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { ArticleEditor } from "./ArticleEditor.tsx";
import "./kb.css";
import { KbStats } from "./KbStats.tsx";
import { MacrosEditor } from "./MacrosEditor.tsx";
import { TemplatesEditor } from "./TemplatesEditor.tsx";

export function KbEditorPage() {
  const { user, categories } = useConsole();
  const admin = user.role === "administrator";
  const list = $api.useQuery("get", "/api/v1/kb/admin/articles");
  const rows = list.data ?? null;
  const error = failureOf(list)?.message ?? null;
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<string | null>(null);

  const shown = (rows ?? []).filter((r) => `${r.title} ${r.slug}`.toLowerCase().includes(filter.trim().toLowerCase()));

  return (
    <div className="kb-page">
      <h1>База знаний</h1>
      {error && <p className="alert alert--error">{error}</p>}
      <div className="kb-editor">
        <nav aria-label="Статьи">
          <div className="field">
            <label htmlFor="kb-filter">Найти статью</label>
            <input id="kb-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </div>
          {admin && (
            <p>
              <button type="button" className="button button--small" onClick={() => setSelected("")}>
                Новая статья
              </button>
            </p>
          )}
          <ul className="kb-editor__list">
            {shown.map((r) => (
              <li key={r.slug}>
                <button
                  type="button"
                  aria-current={selected === r.slug ? "true" : undefined}
                  onClick={() => setSelected(r.slug)}
                >
                  {r.title}
                  <br />
                  <span className="muted">
                    {r.status === "draft" ? "черновик" : "опубликована"}
                    {r.visibility === "internal" ? " · для сотрудников" : ""} · полезна: {r.helpful.yes} /{" "}
                    {r.helpful.no}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div>
          {selected === null ? (
            <p className="muted">Выберите статью слева{admin ? " или создайте новую" : ""}.</p>
          ) : (
            <ArticleEditor
              key={selected}
              slug={selected}
              admin={admin}
              categories={categories.map((c) => ({ code: c.code, title: c.title }))}
              onSaved={setSelected}
            />
          )}
        </div>
      </div>
      <TemplatesEditor categories={categories.map((c) => ({ code: c.code, title: c.title }))} />
      {(admin || user.role === "supervisor") && (
        <MacrosEditor categories={categories.map((c) => ({ code: c.code, title: c.title }))} />
      )}
      {(admin || user.role === "supervisor") && <KbStats />}
    </div>
  );
}
