// Known incidents: supervisors declare an outage (what, since when, expected recovery, words and categories that
// recognise requests about it), watch how many requests it holds, and resolve it — every linked request is answered.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import { count, formatDateTime, fromMoscowLocal, MOSCOW_LABEL, WORDS } from "../format.ts";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

// GET /api/v1/incidents leaves its items open in its response schema: these are the fields the page reads.
type Incident = {
  id: number;
  title: string;
  description: string;
  publicMessage: string;
  since: string;
  expectedRecoveryAt: string | null;
  keywords: string[];
  categories: string[];
  status: "active" | "resolved";
  resolvedAt: string | null;
  linked: number;
};

const list = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** A `datetime-local` value, typed as Moscow time whatever the browser's zone → ISO. */
const fromLocal = (v: string) => fromMoscowLocal(v)?.toISOString();

export function IncidentsPage() {
  useTitle("Известные сбои — Консоль поддержки");
  const { user, categories } = useConsole();
  const manage = user.role === "supervisor" || user.role === "administrator";
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/incidents");
  const items = (read.data as Incident[] | undefined) ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState({
    title: "",
    publicMessage: "",
    since: "",
    recovery: "",
    keywords: "",
    cats: [] as string[],
  });
  const [busy, setBusy] = useState(false);

  const load = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/incidents"] });

  const declare = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await ok(
        api.POST("/api/v1/incidents", {
          body: {
            title: form.title.trim(),
            ...(form.publicMessage.trim() ? { publicMessage: form.publicMessage.trim() } : {}),
            ...(form.since ? { since: fromLocal(form.since) } : {}),
            ...(form.recovery ? { expectedRecoveryAt: fromLocal(form.recovery) } : {}),
            keywords: list(form.keywords),
            categories: form.cats,
          },
        }),
      );
      setNotice(`Сбой объявлен; связано обращений: ${r.linked}.`);
      setForm({ title: "", publicMessage: "", since: "", recovery: "", keywords: "", cats: [] });
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const resolve = async (i: Incident) => {
    const message = window.prompt(
      "Сообщение заявителям (пусто — стандартное «Работа восстановлена…»):",
      `Работа восстановлена: ${i.title}. Попробуйте ещё раз.`,
    );
    if (message === null) return;
    setError(null);
    try {
      const r = await ok(
        api.POST("/api/v1/incidents/{id}/resolve", {
          params: { path: { id: i.id } },
          body: message.trim() ? { message: message.trim() } : {},
        }),
      );
      setNotice(`Сбой устранён: ответ отправлен в ${count(r.answered, ...WORDS.request)}, решено ${r.resolved}.`);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div>
      <h1>Известные сбои</h1>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="alert" role="status">
          {notice}
        </p>
      )}
      {items === null ? (
        <p className="loading">Загрузка…</p>
      ) : items.length === 0 ? (
        <p className="empty">Сбоев не объявлено.</p>
      ) : (
        <table className="queue-table">
          <caption className="muted">Время — {MOSCOW_LABEL}.</caption>
          <thead>
            <tr>
              <th scope="col">Что не работает</th>
              <th scope="col">С</th>
              <th scope="col">Восстановление</th>
              <th scope="col">Обращений</th>
              <th scope="col">Состояние</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id}>
                <td>
                  {i.title}
                  <div className="muted">
                    {[...i.keywords, ...i.categories.map((c) => categories.find((x) => x.code === c)?.title ?? c)].join(
                      ", ",
                    )}
                  </div>
                </td>
                <td className="nowrap">{formatDateTime(i.since)}</td>
                <td className="nowrap">{i.expectedRecoveryAt ? formatDateTime(i.expectedRecoveryAt) : "неизвестно"}</td>
                <td>{i.linked}</td>
                <td>
                  {i.status === "active" ? (
                    manage ? (
                      <button type="button" className="button button--small" onClick={() => void resolve(i)}>
                        Устранён…
                      </button>
                    ) : (
                      "действует"
                    )
                  ) : (
                    <span className="muted">устранён {i.resolvedAt ? formatDateTime(i.resolvedAt) : ""}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {manage && (
        <form className="form card" onSubmit={declare} noValidate>
          <h2 className="card__title">Объявить сбой</h2>
          <div className="field">
            <label htmlFor="inc-title">Что не работает</label>
            <input
              id="inc-title"
              type="text"
              required
              value={form.title}
              onChange={(e) => setForm({ ...form, title: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="inc-message">Что прочтёт заявитель</label>
            <textarea
              id="inc-message"
              rows={2}
              value={form.publicMessage}
              placeholder="Мы знаем о проблеме… Повторно обращаться не нужно."
              onChange={(e) => setForm({ ...form, publicMessage: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="inc-since">С какого времени ({MOSCOW_LABEL})</label>
            <input
              id="inc-since"
              type="datetime-local"
              value={form.since}
              onChange={(e) => setForm({ ...form, since: e.target.value })}
            />
            <span className="field__hint">
              Пусто — с этой минуты. Открытые обращения с этого времени тоже будут связаны.
            </span>
          </div>
          <div className="field">
            <label htmlFor="inc-recovery">Ожидаемое восстановление ({MOSCOW_LABEL})</label>
            <input
              id="inc-recovery"
              type="datetime-local"
              value={form.recovery}
              onChange={(e) => setForm({ ...form, recovery: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="inc-keywords">Слова, по которым узнавать обращения</label>
            <input
              id="inc-keywords"
              type="text"
              value={form.keywords}
              placeholder="смс, код подтверждения"
              onChange={(e) => setForm({ ...form, keywords: e.target.value })}
            />
            <span className="field__hint">Через запятую; формы слов учитываются.</span>
          </div>
          <fieldset className="fieldset">
            <legend>Категории</legend>
            {categories.map((c) => (
              <label key={c.code} className="checkbox">
                <input
                  type="checkbox"
                  checked={form.cats.includes(c.code)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      cats: e.target.checked ? [...form.cats, c.code] : form.cats.filter((x) => x !== c.code),
                    })
                  }
                />{" "}
                {c.title}
              </label>
            ))}
          </fieldset>
          <div className="form__actions">
            <button type="submit" className="button" disabled={busy || !form.title.trim()}>
              Объявить
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
