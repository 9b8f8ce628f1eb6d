// Beside a request: the knowledge base searched from the request's subject, and the answer templates filled in
// for this request. One click puts an article's answer (summary, steps, link) or a template into the reply box.
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { Snippet } from "../help/Snippet.tsx";
import { insertIntoReply } from "./insert.ts";
import "./kb.css";

export type Template = ResponseOf<"/api/v1/kb/templates">[number];

export function KbPanel({ number, query, category }: { number: string; query: string; category: string | null }) {
  const id = useId();
  const [q, setQ] = useState(query.slice(0, 300));
  const [asked, setAsked] = useState(query.slice(0, 300));
  const [insertError, setInsertError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const found = $api.useQuery(
    "get",
    "/api/v1/kb/search",
    { params: { query: { q: asked, limit: 5, internal: true } } },
    { enabled: Boolean(asked.trim()) },
  );
  const hits = asked.trim() ? (found.data ?? null) : [];
  const error = insertError ?? failureOf(found)?.message ?? null;

  const search = (e: FormEvent) => {
    e.preventDefault();
    setAsked(q.trim());
  };

  const insertArticle = async (slug: string, title: string) => {
    try {
      const a = await ok(api.GET("/api/v1/kb/articles/{slug}", { params: { path: { slug } } }));
      insertIntoReply(a.answer ?? a.summary);
      setStatus(`Ответ из статьи «${title}» вставлен в сообщение.`);
    } catch (e) {
      setInsertError(errorText(e));
    }
  };

  return (
    <section className="card kb-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card__title">
        База знаний
      </h2>
      <form onSubmit={search} className="kb-panel__search">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Поиск по базе знаний
        </label>
        <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
        <button type="submit" className="button button--small">
          Найти
        </button>
      </form>
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {error && <p className="field__error">{error}</p>}
      {hits && hits.length === 0 && <p className="muted">Статей не найдено.</p>}
      {hits && hits.length > 0 && (
        <ul className="kb-panel__hits">
          {hits.map((h) => (
            <li key={h.slug}>
              <a href={`/help/${h.slug}`} target="_blank" rel="noopener" className="kb-panel__title">
                {h.title}
              </a>
              <p className="kb-panel__snippet">
                <Snippet html={h.snippet} />
              </p>
              <button
                type="button"
                className="button button--small button--secondary"
                onClick={() => void insertArticle(h.slug, h.title)}
                aria-label={`Вставить в ответ: ${h.title}`}
              >
                Вставить в ответ
              </button>
            </li>
          ))}
        </ul>
      )}
      <Templates number={number} category={category} onStatus={setStatus} />
    </section>
  );
}

function Templates({
  number,
  category,
  onStatus,
}: {
  number: string;
  category: string | null;
  onStatus: (s: string) => void;
}) {
  const list = $api.useQuery("get", "/api/v1/kb/templates");
  // The request's own category first, then the general ones; others stay out of the way.
  const templates =
    list.data
      ?.filter((t) => t.category === null || t.category === category)
      .sort((a, b) => Number(b.category === category) - Number(a.category === category)) ?? null;
  // Each filled in for this request; read again with the request (its name, number or due time may change).
  const filled = useQuery({
    queryKey: [
      "/api/v1/requests/{number}/render-template",
      { params: { path: { number } } },
      templates?.map((t) => t.id),
    ],
    enabled: Boolean(templates?.length),
    queryFn: async ({ signal }) =>
      Object.fromEntries(
        await Promise.all(
          (templates ?? []).map(async (t) => {
            const r = await ok(
              api.POST("/api/v1/requests/{number}/render-template", {
                params: { path: { number } },
                body: { templateId: t.id },
                signal,
              }),
            );
            return [t.id, r] as const;
          }),
        ),
      ),
  });
  const rendered = filled.data ?? {};
  const error = failureOf(list)?.message ?? failureOf(filled)?.message ?? null;

  if (error) return <p className="field__error">{error}</p>;
  if (!templates || templates.length === 0) return null;
  return (
    <details className="kb-panel__templates" open>
      <summary>Шаблоны ответов</summary>
      <ul>
        {templates.map((t) => {
          const r = rendered[t.id];
          return (
            <li key={t.id}>
              <p className="kb-panel__title">{t.title}</p>
              <p className="kb-panel__snippet kb-panel__pre">{r?.text ?? t.body}</p>
              {r && r.unknown.length > 0 && (
                <p className="field__error">Неизвестные подстановки: {r.unknown.map((u) => `{{${u}}}`).join(", ")}</p>
              )}
              <button
                type="button"
                className="button button--small button--secondary"
                disabled={!r}
                onClick={() => {
                  if (!r) return;
                  insertIntoReply(r.text);
                  onStatus(`Шаблон «${t.title}» вставлен в сообщение`);
                }}
                aria-label={`Вставить шаблон: ${t.title}`}
              >
                Вставить шаблон
              </button>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
