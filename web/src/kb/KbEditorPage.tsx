// /console/kb: the knowledge base for staff. Administrators edit articles with a live preview (the same safe
// renderer as the help centre), check them, publish or unpublish, and browse and restore versions.
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, api, errorText } from "../api.ts";
import { useConsole } from "../console/session.ts";
import { Markdown } from "../help/Markdown.tsx";
import type { Article } from "../help/types.ts";
import "./kb.css";
import { KbStats } from "./KbStats.tsx";
import { TemplatesEditor } from "./TemplatesEditor.tsx";

type Row = {
  slug: string;
  title: string;
  category: string;
  categoryTitle: string;
  status: string;
  visibility: string;
  helpful: { yes: number; no: number };
};
type Problem = { slug: string; code: string; severity: "error" | "warning"; message: string };
type Version = { version: number; note: string; createdAt: string; createdBy: string | null };

type Draft = {
  slug: string;
  title: string;
  summary: string;
  category: string;
  audience: string[];
  tags: string;
  synonyms: string;
  visibility: "public" | "internal";
  body: string;
};

const EMPTY: Draft = {
  slug: "",
  title: "",
  summary: "",
  category: "information",
  audience: ["citizen"],
  tags: "",
  synonyms: "",
  visibility: "public",
  body: "",
};

const AUDIENCE_TITLES: Record<string, string> = {
  citizen: "граждане",
  legal_entity: "организации",
  entrepreneur: "предприниматели",
};

const toDraft = (a: Article): Draft => ({
  slug: a.slug,
  title: a.title,
  summary: a.summary,
  category: a.category,
  audience: a.audience,
  tags: a.tags.join(", "),
  synonyms: (a.synonyms ?? []).join(", "),
  visibility: a.visibility ?? "public",
  body: a.body,
});

const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

const payload = (d: Draft) => ({
  title: d.title,
  summary: d.summary,
  category: d.category,
  audience: d.audience,
  tags: splitList(d.tags),
  synonyms: splitList(d.synonyms),
  visibility: d.visibility,
  body: d.body,
});

export function KbEditorPage() {
  const { user, categories } = useConsole();
  const admin = user.role === "administrator";
  const [rows, setRows] = useState<Row[] | null>(null);
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    api<Row[]>("/kb/admin/articles")
      .then(setRows)
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(reload, [reload]);

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
              onSaved={(slug) => {
                reload();
                setSelected(slug);
              }}
            />
          )}
        </div>
      </div>
      <TemplatesEditor categories={categories.map((c) => ({ code: c.code, title: c.title }))} />
      {(admin || user.role === "supervisor") && <KbStats />}
    </div>
  );
}

function ArticleEditor({
  slug,
  admin,
  categories,
  onSaved,
}: {
  slug: string;
  admin: boolean;
  categories: { code: string; title: string }[];
  onSaved: (slug: string) => void;
}) {
  const isNew = slug === "";
  const [article, setArticle] = useState<Article | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);

  const load = useCallback(async () => {
    if (isNew) return;
    const a = await api<Article>(`/kb/articles/${slug}`);
    setArticle(a);
    setDraft(toDraft(a));
  }, [slug, isNew]);
  useEffect(() => {
    load().catch((e) => setError(errorText(e)));
  }, [load]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const act = async (what: () => Promise<void>, done: string) => {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      await what();
      setNotice(done);
      setHistoryKey((k) => k + 1);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      if (isNew) {
        const a = await api<Article>("/kb/articles", { body: { slug: draft.slug, ...payload(draft) } });
        onSaved(a.slug);
      } else {
        const r = await api<{ article: Article; problems: Problem[] }>(`/kb/articles/${slug}`, {
          method: "PUT",
          body: payload(draft),
        });
        setArticle(r.article);
        setProblems(r.problems);
        onSaved(slug);
      }
    }, "Сохранено");
  };

  const check = () =>
    act(async () => {
      const r = await api<{ problems: Problem[] }>("/kb/check", {
        body: { slug: draft.slug || "new-article", ...payload(draft) },
      });
      setProblems(r.problems);
    }, "Проверено");

  const setStatus = (action: "publish" | "unpublish") =>
    act(
      async () => {
        try {
          const r = await api<{ article: Article; problems: Problem[] }>(`/kb/articles/${slug}/${action}`, {
            method: "POST",
          });
          setArticle(r.article);
          setProblems(r.problems);
          onSaved(slug);
        } catch (e) {
          // The refusal names what to fix: ask the check for the same list to show it beside the text.
          if (e instanceof ApiError && e.code === "kb.check_failed") {
            const r = await api<{ problems: Problem[] }>("/kb/check", { body: { slug, ...payload(draft) } });
            setProblems(r.problems);
          }
          throw e;
        }
      },
      action === "publish" ? "Опубликовано" : "Снято с публикации",
    );

  if (!isNew && !article && !error) return <p className="loading">Загрузка…</p>;
  const readOnly = !admin;
  return (
    <form className="kb-editor__form" onSubmit={save} noValidate>
      <h2>{isNew ? "Новая статья" : article?.title}</h2>
      {article && (
        <p className="muted">
          {article.status === "draft" ? "Черновик" : "Опубликована"} · версия {article.version}
          {article.updatedBy ? ` · ${article.updatedBy}` : ""} ·{" "}
          <a href={`/help/${article.slug}`} target="_blank" rel="noopener">
            открыть в справке
          </a>
        </p>
      )}
      <p role="status" className={notice ? "notice" : "visually-hidden"}>
        {notice}
      </p>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      <fieldset disabled={readOnly || busy} className="fieldset--plain">
        {isNew && (
          <div className="field">
            <label htmlFor="kb-slug">Адрес (латиница, цифры, дефисы)</label>
            <input id="kb-slug" value={draft.slug} onChange={(e) => set("slug", e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor="kb-title">Заголовок</label>
          <input id="kb-title" value={draft.title} onChange={(e) => set("title", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="kb-summary">Краткое описание</label>
          <input id="kb-summary" value={draft.summary} onChange={(e) => set("summary", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="kb-category">Категория</label>
          <select id="kb-category" value={draft.category} onChange={(e) => set("category", e.target.value)}>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="fieldset">
          <legend>Для кого</legend>
          {Object.entries(AUDIENCE_TITLES).map(([code, title]) => (
            <label key={code} className="checkbox">
              <input
                type="checkbox"
                checked={draft.audience.includes(code)}
                onChange={(e) =>
                  set(
                    "audience",
                    e.target.checked ? [...draft.audience, code] : draft.audience.filter((x) => x !== code),
                  )
                }
              />{" "}
              {title}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="kb-visibility">Видимость</label>
          <select
            id="kb-visibility"
            value={draft.visibility}
            onChange={(e) => set("visibility", e.target.value as Draft["visibility"])}
          >
            <option value="public">Всем (справка)</option>
            <option value="internal">Только сотрудникам</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="kb-tags">Теги (через запятую)</label>
          <input id="kb-tags" value={draft.tags} onChange={(e) => set("tags", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="kb-synonyms">Как ещё говорят заявители (через запятую)</label>
          <input id="kb-synonyms" value={draft.synonyms} onChange={(e) => set("synonyms", e.target.value)} />
        </div>
        <div className="kb-editor__panes">
          <div className="field">
            <label htmlFor="kb-body">Текст (Markdown)</label>
            <textarea
              id="kb-body"
              className="kb-editor__body"
              value={draft.body}
              onChange={(e) => set("body", e.target.value)}
            />
          </div>
          <section className="kb-editor__preview" aria-label="Предпросмотр">
            <h3 className="muted">Предпросмотр</h3>
            <h1>{draft.title}</h1>
            {draft.summary && <p className="lead">{draft.summary}</p>}
            <Markdown source={draft.body} />
          </section>
        </div>
      </fieldset>
      {problems && (
        <section aria-label="Проверка" className="kb-editor__problems">
          {problems.length === 0 ? (
            <p className="notice">Проверка пройдена: статью можно публиковать.</p>
          ) : (
            <ul>
              {problems.map((p) => (
                <li key={`${p.code}-${p.message}`} className={p.severity}>
                  {p.severity === "error" ? "Ошибка" : "Предупреждение"}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {admin && (
        <div className="actions">
          <button type="submit" className="button" disabled={busy}>
            Сохранить
          </button>
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void check()}>
            Проверить
          </button>
          {!isNew && article?.status === "draft" && (
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() => void setStatus("publish")}
            >
              Опубликовать
            </button>
          )}
          {!isNew && article?.status === "published" && (
            <button
              type="button"
              className="button button--ghost"
              disabled={busy}
              onClick={() => void setStatus("unpublish")}
            >
              Снять с публикации
            </button>
          )}
        </div>
      )}
      {admin && !isNew && (
        <History
          key={historyKey}
          slug={slug}
          onRestored={() => {
            void load();
            setHistoryKey((k) => k + 1);
            onSaved(slug);
          }}
        />
      )}
    </form>
  );
}

function History({ slug, onRestored }: { slug: string; onRestored: () => void }) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [viewing, setViewing] = useState<{ version: number; article: Article } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Version[]>(`/kb/articles/${slug}/versions`)
      .then(setVersions)
      .catch((e) => setError(errorText(e)));
  }, [slug]);

  const view = async (v: number) => {
    const r = await api<{ article: Article }>(`/kb/articles/${slug}/versions/${v}`);
    setViewing({ version: v, article: r.article });
  };
  const restore = async (v: number) => {
    try {
      await api(`/kb/articles/${slug}/versions/${v}/restore`, { method: "POST" });
      onRestored();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <details className="kb-editor__history-box">
      <summary>История изменений</summary>
      {error && <p className="field__error">{error}</p>}
      <ul className="kb-editor__history">
        {(versions ?? []).map((v, i) => (
          <li key={v.version}>
            <strong>Версия {v.version}</strong> · {new Date(v.createdAt).toLocaleString("ru-RU")} ·{" "}
            {v.createdBy ?? "система"} · {v.note}
            <button type="button" className="button button--small button--ghost" onClick={() => void view(v.version)}>
              Показать
            </button>
            {i > 0 && (
              <button
                type="button"
                className="button button--small button--ghost"
                onClick={() => void restore(v.version)}
              >
                Восстановить
              </button>
            )}
          </li>
        ))}
      </ul>
      {viewing && (
        <section className="kb-editor__preview" aria-label={`Версия ${viewing.version}`}>
          <h3>
            Версия {viewing.version}: {viewing.article.title}
          </h3>
          <Markdown source={viewing.article.body} baseLevel={3} />
        </section>
      )}
    </details>
  );
}
