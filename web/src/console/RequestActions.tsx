// The «Действия» card of a request: status changes the machine allows, handing over to a department, and the
// assignee, category and priority.
import { api } from "../api/client.ts";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { PRIORITY_TITLES, STATUS_ACTIONS, STATUS_TITLES } from "../labels.ts";
import type { Detail } from "./requestQueries.ts";
import { useConsole } from "./session.ts";

type Patch = { assigneeId?: number | null; category?: string; priority?: "low" | "normal" | "high" | "urgent" };

export function RequestActions({
  r,
  busy,
  act,
  onEscalate,
}: {
  r: Detail;
  busy: boolean;
  /** Runs one action, says `done` when it succeeded and reads the request again. */
  act: (what: () => Promise<unknown>, done: string) => Promise<boolean>;
  onEscalate: () => void;
}) {
  const { user, categories, staff } = useConsole();
  const number = r.number;
  const patch = (body: Patch, done: string) =>
    act(() => api.PATCH("/api/v1/requests/{number}", { params: { path: { number } }, body }), done);

  const assignees = staff
    .filter((s) => s.active || s.id === r.assignee?.id)
    .map((s) => ({
      value: String(s.id),
      label: s.id === user.id ? `${s.name} (я)` : s.active ? s.name : `${s.name} (нет доступа)`,
    }));

  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title" className="card__title">
        Действия
      </h2>
      {r.allowedStatuses.length > 0 && (
        <fieldset className="status-actions">
          <legend className="visually-hidden">Сменить статус</legend>
          {r.allowedStatuses.map((s) => (
            <button
              key={s}
              type="button"
              className={`button button--small ${s === "resolved" ? "" : "button--secondary"}`}
              disabled={busy}
              onClick={() =>
                void act(
                  () =>
                    api.POST("/api/v1/requests/{number}/status", { params: { path: { number } }, body: { status: s } }),
                  `Статус: ${STATUS_TITLES[s]}`,
                )
              }
            >
              {STATUS_ACTIONS[s] ?? STATUS_TITLES[s]}
            </button>
          ))}
        </fieldset>
      )}
      {(r.allowedStatuses.includes("escalated") || r.status === "escalated") && (
        <button
          type="button"
          className="button button--small button--secondary"
          data-shortcut="escalate"
          onClick={onEscalate}
        >
          Передать в подразделение…
        </button>
      )}
      <Select
        id="req-assignee"
        label="Исполнитель"
        value={r.assignee?.id ?? ""}
        disabled={busy}
        actsAtOnce
        onChange={(v) => void patch({ assigneeId: v ? Number(v) : null }, "Исполнитель изменён")}
        empty="Не назначен"
        options={assignees}
      />
      <Select
        id="req-category"
        label="Категория"
        value={r.category ?? ""}
        disabled={busy}
        actsAtOnce
        onChange={(v) => v && void patch({ category: v }, "Категория исправлена")}
        empty={r.category ? undefined : "Не определена"}
        options={optionsFrom(categories)}
        hint={
          r.categorySource === "operator"
            ? "Исправлена сотрудником."
            : r.categoryConfidence !== null
              ? `Определена автоматически, уверенность ${Math.round(r.categoryConfidence * 100)}%. Исправьте, если неверно.`
              : "Выбрана заявителем."
        }
      />
      <Select
        id="req-priority"
        label="Приоритет"
        value={r.priority}
        disabled={busy}
        actsAtOnce
        onChange={(v) => void patch({ priority: v as Patch["priority"] }, "Приоритет изменён")}
        options={optionsOf(PRIORITY_TITLES)}
      />
    </section>
  );
}
