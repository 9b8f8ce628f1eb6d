// An article's versions: who saved which and why, a look at any of them, and restoring an older one.
import { useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import { formatShort } from "../format.ts";
import { Markdown } from "../help/Markdown.tsx";

export function ArticleHistory({ slug, onRestored }: { slug: string; onRestored: () => void }) {
  const versions = $api.useQuery("get", "/api/v1/kb/articles/{slug}/versions", { params: { path: { slug } } });
  const [viewing, setViewing] = useState<number | null>(null);
  const shown = $api.useQuery(
    "get",
    "/api/v1/kb/articles/{slug}/versions/{version}",
    { params: { path: { slug, version: viewing ?? 0 } } },
    { enabled: viewing !== null },
  );
  // An old version's article is open in the schema; its title and body are what is shown.
  const old = shown.data?.article as { title?: string; body?: string } | undefined;
  const [error, setError] = useState<string | null>(null);

  const restore = async (version: number) => {
    try {
      await api.POST("/api/v1/kb/articles/{slug}/versions/{version}/restore", { params: { path: { slug, version } } });
      onRestored();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const shownError = error ?? failureOf(versions)?.message;
  return (
    <details className="kb-editor__history-box">
      <summary>История изменений</summary>
      {shownError && <p className="field__error">{shownError}</p>}
      <ul className="kb-editor__history">
        {(versions.data ?? []).map((v, i) => (
          <li key={v.version}>
            <strong>Версия {v.version}</strong> · {formatShort(v.createdAt)} · {v.createdBy ?? "система"} · {v.note}
            <button type="button" className="button button--small button--ghost" onClick={() => setViewing(v.version)}>
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
      {viewing !== null && old && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1)
        <section className="kb-editor__preview" aria-label={`Версия ${viewing}`} tabIndex={0}>
          <h3>
            Версия {viewing}: {old.title}
          </h3>
          <Markdown source={old.body ?? ""} baseLevel={3} />
        </section>
      )}
    </details>
  );
}
