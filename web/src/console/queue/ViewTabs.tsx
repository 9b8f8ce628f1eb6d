// The queue's views: the built-in ones, one's own and those shared with the department, each with its counter read
// again on every live change; the current filters can be saved as a new view.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../../api/client.ts";
import { Link, navigate } from "../../router.tsx";
import { useConsole } from "../session.ts";
import { filtersOf, viewSearch } from "./queueUrl.ts";

export function ViewTabs({ search }: { search: URLSearchParams }) {
  const { user, departments } = useConsole();
  const queries = useQueryClient();
  const views = $api.useQuery("get", "/api/v1/requests/views", {}, { placeholderData: (previous) => previous });
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // No address at all is the first view, «all open».
  const current = search.get("view") ?? (search.toString() === "" ? "open" : null);
  const department = departments.find((d) => d.id === user.departmentId);
  const reload = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests/views"] });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { id } = await ok(
        api.POST("/api/v1/requests/views", {
          body: {
            name: name.trim(),
            filters: filtersOf(search),
            ...(shared && department ? { department: department.code } : {}),
          },
        }),
      );
      await reload();
      setSaving(false);
      setName("");
      setMessage(`Подборка «${name.trim()}» сохранена.`);
      const next = new URLSearchParams(search);
      next.set("view", id);
      navigate(`/console?${next}`, { replace: true });
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const remove = async (id: string, title: string) => {
    try {
      await ok(api.DELETE("/api/v1/requests/views/{id}", { params: { path: { id: Number(id) } } }));
      await reload();
      setMessage(`Подборка «${title}» удалена.`);
      if (current === id) navigate("/console", { replace: true });
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const error = failureOf(views)?.message;
  return (
    <nav className="queue-views" aria-label="Подборки">
      <ul className="queue-views__list">
        {(views.data?.views ?? []).map((v) => (
          <li key={v.id} className="queue-views__item">
            <Link
              to={`/console${viewSearch(v.id, v.filters) ? `?${viewSearch(v.id, v.filters)}` : ""}`}
              className="queue-views__link"
              aria-current={current === v.id ? "page" : undefined}
              data-view={v.id}
            >
              {v.name}
              {v.kind === "shared" && <span className="visually-hidden"> (общая для подразделения)</span>}
              <span className="queue-views__count" data-count={v.count}>
                {v.count.toLocaleString("ru-RU")}
                {v.countCapped && (
                  <>
                    <span aria-hidden="true">+</span>
                    <span className="visually-hidden"> и больше</span>
                  </>
                )}
              </span>
            </Link>
            {v.removable && (
              <button
                type="button"
                className="queue-views__remove"
                aria-label={`Удалить подборку «${v.name}»`}
                onClick={() => void remove(v.id, v.name)}
              >
                ×
              </button>
            )}
          </li>
        ))}
        <li>
          <button
            type="button"
            className="button button--small button--secondary"
            aria-expanded={saving}
            onClick={() => setSaving(!saving)}
          >
            Сохранить как подборку
          </button>
        </li>
      </ul>
      {saving && (
        <form className="queue-views__save" onSubmit={(e) => void save(e)}>
          <label htmlFor="view-name">Название подборки</label>
          <input id="view-name" value={name} maxLength={60} required onChange={(e) => setName(e.target.value)} />
          {department && (
            <label className="checkbox">
              <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
              <span>Общая для подразделения «{department.name}»</span>
            </label>
          )}
          <button type="submit" className="button button--small">
            Сохранить
          </button>
        </form>
      )}
      {(message || error) && (
        <p className="muted" role="status">
          {message ?? error}
        </p>
      )}
    </nav>
  );
}
