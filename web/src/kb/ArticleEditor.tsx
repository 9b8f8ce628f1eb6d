// One article in the console's editor: the fields, the text with a live preview, the check before publishing,
// publishing and unpublishing, and the versions. Only administrators change anything; others read.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { $api, ApiError, api, errorText, failureOf, ok } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { optionsFrom, Select } from "../controls/Select.tsx";
import { Markdown } from "../help/Markdown.tsx";
import { ArticleHistory } from "./ArticleHistory.tsx";
import { AUDIENCE_TITLES, type Draft, EMPTY, payload, toDraft } from "./draft.ts";

type Problem = ResponseOf<"/api/v1/kb/check", "post">["problems"][number];

const VISIBILITY = [
  { value: "public", label: "Всем (справка)" },
  { value: "internal", label: "Только сотрудникам" },
];

/** Everything the knowledge base's pages have read is read again after a change. */
export function useRefreshKb() {
  const queries = useQueryClient();
  return () =>
    queries.invalidateQueries({ predicate: ({ queryKey }) => String(queryKey[1]).startsWith("/api/v1/kb/") });
}

export function ArticleEditor({
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
  const read = $api.useQuery("get", "/api/v1/kb/articles/{slug}", { params: { path: { slug } } }, { enabled: !isNew });
  const article = isNew ? null : (read.data ?? null);
  const refresh = useRefreshKb();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [actionError, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const error = actionError ?? failureOf(read)?.message ?? null;

  // The fields start from the article as read, and again from each new version (a restore); not on every read.
  const applied = useRef<string | null>(null);
  useEffect(() => {
    if (!article) return;
    const version = `${article.slug}@${article.version ?? article.updatedAt}`;
    if (applied.current === version) return;
    applied.current = version;
    setDraft(toDraft(article));
  }, [article]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const act = async (what: () => Promise<void>, done: string) => {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      await what();
      setNotice(done);
      await refresh();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const checkDraft = async (as: string) => {
    const r = await ok(api.POST("/api/v1/kb/check", { body: { slug: as, ...payload(draft) } }));
    setProblems(r.problems);
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      if (isNew) {
        const a = await ok(api.POST("/api/v1/kb/articles", { body: { slug: draft.slug, ...payload(draft) } }));
        onSaved(a.slug);
      } else {
        const r = await ok(api.PUT("/api/v1/kb/articles/{slug}", { params: { path: { slug } }, body: payload(draft) }));
        setProblems(r.problems);
        onSaved(slug);
      }
    }, "Сохранено");
  };

  const check = () => act(() => checkDraft(draft.slug || "new-article"), "Проверено");

  const setStatus = (action: "publish" | "unpublish") =>
    act(
      async () => {
        try {
          const path =
            action === "publish" ? "/api/v1/kb/articles/{slug}/publish" : "/api/v1/kb/articles/{slug}/unpublish";
          const r = await ok(api.POST(path, { params: { path: { slug } } }));
          setProblems(r.problems);
          onSaved(slug);
        } catch (e) {
          // The refusal names what to fix: ask the check for the same list to show it beside the text.
          if (e instanceof ApiError && e.code === "kb.check_failed") await checkDraft(slug);
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
        <Select
          id="kb-category"
          label="Категория"
          value={draft.category}
          onChange={(v) => set("category", v)}
          options={optionsFrom(categories)}
        />
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
        <Select
          id="kb-visibility"
          label="Видимость"
          value={draft.visibility}
          onChange={(v) => set("visibility", v as Draft["visibility"])}
          options={VISIBILITY}
        />
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
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1) */}
          <section className="kb-editor__preview" aria-label="Предпросмотр" tabIndex={0}>
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
      {admin && !isNew && <ArticleHistory slug={slug} onRestored={() => onSaved(slug)} />}
    </form>
  );
}
