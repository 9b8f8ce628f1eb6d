// The public help centre: search and topics, one topic's articles, one article with «was it helpful».
import { useMemo, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import { count, displayPhone, formatDate, telHref, WORDS } from "../format.ts";
import { IncidentBanner, useActiveIncidents } from "../incidents.tsx";
import { Link, useTitle } from "../router.tsx";
import "./help.css";
import { HelpSearch } from "./HelpSearch.tsx";
import { Markdown } from "./Markdown.tsx";

function useCategories() {
  const topics = $api.useQuery("get", "/api/v1/kb/categories", {}, { staleTime: 60_000 });
  return { groups: topics.data ?? null, error: failureOf(topics)?.message ?? null };
}

const MAIN_LINE = "+78005553535";

function WriteToUs() {
  return (
    <aside className="help-write" aria-labelledby="help-write-title">
      <h2 id="help-write-title">Не нашли ответ?</h2>
      <p>
        <Link to="/new" className="button">
          Не нашли ответ? Напишите нам
        </Link>
      </p>
      <p className="muted">
        Или позвоните: <a href={telHref(MAIN_LINE)!}>{displayPhone(MAIN_LINE)}</a> (бесплатно, круглосуточно).{" "}
        <Link to="/contacts">Другие телефоны</Link>
      </p>
    </aside>
  );
}

export function HelpHomePage() {
  useTitle("Справка — Служба поддержки");
  const { groups, error } = useCategories();
  const incidents = useActiveIncidents();
  return (
    <div className="help">
      <h1>Справка</h1>
      <p className="lead">Ответы на частые вопросы: вход, коды, заявления, документы, подпись, ошибки портала.</p>
      <IncidentBanner incidents={incidents} />
      <HelpSearch />
      <section aria-labelledby="help-topics">
        <h2 id="help-topics">Темы</h2>
        {error && <p className="alert alert--error">{error}</p>}
        {!groups && !error && <p className="loading">Загрузка…</p>}
        {groups && (
          <ul className="help-topics">
            {groups.map((g) => (
              <li key={g.code}>
                <Link to={`/help/category/${g.code}`} className="help-topics__link">
                  <span className="help-topics__title">{g.title}</span>
                  <span className="muted">{count(g.articles.length, ...WORDS.article)}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <WriteToUs />
    </div>
  );
}

export function HelpCategoryPage({ code }: { code: string }) {
  const { groups, error } = useCategories();
  const group = groups?.find((g) => g.code === code);
  useTitle(`${group?.title ?? "Тема"} — Справка`);
  return (
    <div className="help">
      <nav aria-label="Навигация" className="breadcrumbs">
        <Link to="/help">Справка</Link>
      </nav>
      {error && <p className="alert alert--error">{error}</p>}
      {!groups && !error && <p className="loading">Загрузка…</p>}
      {groups && !group && (
        <>
          <h1>Тема не найдена</h1>
          <p>
            <Link to="/help">Все темы справки</Link>
          </p>
        </>
      )}
      {group && (
        <>
          <h1>{group.title}</h1>
          <ul className="help-list">
            {group.articles.map((a) => (
              <li key={a.slug}>
                <Link to={`/help/${a.slug}`} className="help-list__title">
                  {a.title}
                </Link>
                <p className="muted">{a.summary}</p>
              </li>
            ))}
          </ul>
        </>
      )}
      <WriteToUs />
    </div>
  );
}

export function HelpArticlePage({ slug }: { slug: string }) {
  const read = $api.useQuery("get", "/api/v1/kb/articles/{slug}", { params: { path: { slug } } });
  const article = read.data ?? null;
  const error = failureOf(read);
  const { groups } = useCategories();
  const incidents = useActiveIncidents();
  const links = useMemo(
    () => new Map((groups ?? []).flatMap((g) => g.articles.map((a) => [a.title, `/help/${a.slug}`] as const))),
    [groups],
  );
  useTitle(article ? `${article.title} — Справка` : "Справка");

  if (error) {
    const missing = error.status === 404;
    return (
      <div className="help">
        <h1>{missing ? "Статья не найдена" : "Не удалось открыть статью"}</h1>
        <p>{missing ? "Возможно, её переименовали или убрали. Найдите ответ поиском:" : errorText(error)}</p>
        <HelpSearch />
        <WriteToUs />
      </div>
    );
  }
  if (!article) return <p className="loading">Загрузка…</p>;
  return (
    <div className="help">
      <nav aria-label="Навигация" className="breadcrumbs">
        <Link to="/help">Справка</Link> › <Link to={`/help/category/${article.category}`}>{article.categoryTitle}</Link>
      </nav>
      <IncidentBanner incidents={incidents} />
      <article className="help-article">
        <h1>{article.title}</h1>
        {article.summary && <p className="lead">{article.summary}</p>}
        <Markdown source={article.body} links={links} />
        <p className="muted help-article__updated">
          Обновлено <time dateTime={article.updatedAt}>{formatDate(article.updatedAt)}</time>
        </p>
      </article>
      <Feedback slug={article.slug} />
      <WriteToUs />
    </div>
  );
}

function Feedback({ slug }: { slug: string }) {
  const [sent, setSent] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const vote = async (helpful: boolean) => {
    setError(null);
    try {
      await api.POST("/api/v1/kb/articles/{slug}/feedback", { params: { path: { slug } }, body: { helpful } });
      setSent(helpful);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="help-feedback" aria-labelledby="help-feedback-title">
      <h2 id="help-feedback-title">Была ли статья полезной?</h2>
      {sent === null ? (
        <div className="actions">
          <button type="button" className="button button--secondary" onClick={() => void vote(true)}>
            Да
          </button>
          <button type="button" className="button button--secondary" onClick={() => void vote(false)}>
            Нет
          </button>
        </div>
      ) : (
        <p role="status">
          {sent
            ? "Спасибо! Рады, что статья помогла."
            : "Спасибо, мы доработаем статью. Если вопрос остался — напишите нам."}
        </p>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
