// The console's directory page for administrators: the lines, editing, publication, overload, the file, the
// calendar and the history.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { count, WORDS } from "../format.ts";
import { useTitle } from "../router.tsx";
import { CalendarPanel } from "./CalendarPanel.tsx";
import { emptyForm, type LineForm, scheduleWords, toForm } from "./form.ts";
import { HistoryPanel } from "./HistoryPanel.tsx";
import { LineEditor } from "./LineEditor.tsx";
import { ProblemList } from "./ProblemList.tsx";
import type { AdminDirectory, AdminEntry, CheckReport } from "./types.ts";
import { YamlPanel } from "./YamlPanel.tsx";
import "./admin-directory.css";

type Tab = "lines" | "file" | "calendar" | "history";
const TABS: Array<[Tab, string]> = [
  ["lines", "Линии"],
  ["file", "Файл YAML"],
  ["calendar", "Календарь"],
  ["history", "История"],
];

const updated = new Intl.DateTimeFormat("ru-RU", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Moscow" });

export function AdminDirectoryPage() {
  useTitle("Справочник линий — Консоль поддержки");
  const { user, staff } = useConsole();
  const [tab, setTab] = useState<Tab>("lines");
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/admin/directory", {}, { enabled: user.role === "administrator" });
  const data: AdminDirectory | null = read.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ form: LineForm; isNew: boolean } | null>(null);
  const [withdrawing, setWithdrawing] = useState<{ id: string; reason: string } | null>(null);
  const [rowProblems, setRowProblems] = useState<{ id: string; report: CheckReport } | null>(null);

  // The lines, their check and the history of versions are read again after any change.
  const load = () =>
    queries.invalidateQueries({
      predicate: ({ queryKey }) => String(queryKey[1]).startsWith("/api/v1/admin/directory"),
    });

  if (user.role !== "administrator")
    return <p className="alert alert--error">Справочник линий редактируют только администраторы.</p>;

  const nameOf = (id: number | null) =>
    id === null ? "начальные данные" : (staff.find((s) => s.id === id)?.name ?? `№${id}`);

  const publish = async (e: AdminEntry, published: boolean, reason?: string) => {
    setError(null);
    setNotice(null);
    setRowProblems(null);
    try {
      await api.POST("/api/v1/admin/directory/lines/{id}/publication", {
        params: { path: { id: e.id } },
        body: { published, reason },
      });
      setWithdrawing(null);
      setNotice(published ? `Строка ${e.id} опубликована.` : `Строка ${e.id} снята с публикации.`);
      await load();
    } catch (err) {
      const problems = (err as { fieldErrors?: unknown }).fieldErrors as CheckReport["problems"] | undefined;
      setError(errorText(err));
      if (problems?.length) setRowProblems({ id: e.id, report: { ok: false, errors: 0, warnings: 0, problems } });
    }
  };

  const overload = async (e: AdminEntry, overloaded: boolean) => {
    setError(null);
    try {
      await api.PUT("/api/v1/directory/lines/{id}/overload", { params: { path: { id: e.id } }, body: { overloaded } });
      setNotice(
        overloaded
          ? `Линия ${String(e.entry.number)} отмечена перегруженной: её резерв предлагается первым.`
          : `Отметка перегрузки с линии ${String(e.entry.number)} снята.`,
      );
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div className="dir-admin">
      <h1>Справочник линий</h1>
      <div className="dir-tabs" role="tablist" aria-label="Разделы справочника">
        {TABS.map(([t, title]) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`dir-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`dir-panel-${t}`}
            className={`dir-tab${tab === t ? " is-active" : ""}`}
            onClick={() => setTab(t)}
          >
            {title}
          </button>
        ))}
      </div>
      {error && (
        <div className="alert alert--error" role="alert">
          <p>{error}</p>
          {rowProblems && (
            <ProblemList problems={rowProblems.report.problems} caption={`Замечания к ${rowProblems.id}`} />
          )}
        </div>
      )}
      {notice && (
        <p className="alert dir-ok" role="status">
          {notice}
        </p>
      )}

      <div role="tabpanel" id={`dir-panel-${tab}`} aria-labelledby={`dir-tab-${tab}`}>
        {tab === "lines" && editing && data && (
          <LineEditor
            key={editing.form.id || "new"}
            initial={editing.form}
            isNew={editing.isNew}
            sections={data.sections}
            lineIds={data.entries.map((e) => e.id)}
            onCancel={() => setEditing(null)}
            onSaved={(report, id) => {
              setEditing(null);
              setNotice(
                `Строка ${id} сохранена.${report.warnings ? ` В справочнике ${count(report.warnings, ...WORDS.warning)}.` : ""}`,
              );
              void load();
            }}
          />
        )}
        {tab === "lines" && !editing && data && (
          <>
            <div className="form__actions">
              <button
                type="button"
                className="button"
                onClick={() => setEditing({ form: emptyForm(data.sections[0] ?? "Региональные линии"), isNew: true })}
              >
                Добавить строку
              </button>
              <p className="muted">
                Проверка справочника: {count(data.check.errors, ...WORDS.error)},{" "}
                {count(data.check.warnings, ...WORDS.warning)}.
              </p>
            </div>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1) */}
            <section className="dir-table-wrap" tabIndex={0} aria-label="Строки справочника">
              <table className="dir-table dir-lines">
                <caption className="visually-hidden">Строки справочника</caption>
                <thead>
                  <tr>
                    <th scope="col">Линия</th>
                    <th scope="col">Номер</th>
                    <th scope="col">Часы</th>
                    <th scope="col">Публикация</th>
                    <th scope="col">Перегрузка</th>
                    <th scope="col">Изменена</th>
                    <th scope="col">
                      <span className="visually-hidden">Действия</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.entries.map((e, i) => (
                    <Row
                      key={e.id}
                      e={e}
                      sectionStart={i === 0 || data.entries[i - 1]!.section !== e.section}
                      updatedBy={nameOf(e.updatedBy)}
                      overloadedBy={e.overloadedBy ? nameOf(e.overloadedBy) : "телефония"}
                      withdrawing={withdrawing?.id === e.id ? withdrawing.reason : null}
                      onWithdrawReason={(reason) => setWithdrawing({ id: e.id, reason })}
                      onEdit={() => setEditing({ form: toForm(e.entry, e.section, e.comment), isNew: false })}
                      onPublish={(published, reason) => void publish(e, published, reason)}
                      onCancelWithdraw={() => setWithdrawing(null)}
                      onOverload={(v) => void overload(e, v)}
                    />
                  ))}
                </tbody>
              </table>
            </section>
            <ProblemList problems={data.check.problems} caption="Предупреждения проверки" />
          </>
        )}
        {tab === "file" && <YamlPanel onImported={() => void load()} />}
        {tab === "calendar" && <CalendarPanel onSaved={() => void load()} />}
        {tab === "history" && <HistoryPanel />}
      </div>
    </div>
  );
}

type RowProps = {
  e: AdminEntry;
  overloadedBy: string;
  sectionStart: boolean;
  updatedBy: string;
  withdrawing: string | null;
  onWithdrawReason: (reason: string) => void;
  onEdit: () => void;
  onPublish: (published: boolean, reason?: string) => void;
  onCancelWithdraw: () => void;
  onOverload: (overloaded: boolean) => void;
};

function Row({
  e,
  overloadedBy,
  sectionStart,
  updatedBy,
  withdrawing,
  onWithdrawReason,
  onEdit,
  onPublish,
  onCancelWithdraw,
  onOverload,
}: RowProps) {
  const title = String(e.entry.title ?? e.id);
  return (
    <>
      {sectionStart && (
        <tr className="dir-section">
          <th colSpan={7} scope="colgroup">
            {e.section}
          </th>
        </tr>
      )}
      <tr className={e.published ? "" : "is-withdrawn"}>
        <td>
          <b>{title}</b>
          <br />
          <span className="muted">{e.id}</span>
        </td>
        <td className="nowrap">{String(e.entry.number ?? "")}</td>
        <td>{scheduleWords(e.entry)}</td>
        <td>
          {e.published ? (
            "опубликована"
          ) : (
            <>
              снята
              {e.entry.unpublishedReason ? <span className="muted">: {String(e.entry.unpublishedReason)}</span> : null}
            </>
          )}
        </td>
        <td>
          {e.entry.role === "main" && e.published ? (
            <label className="dir-switch">
              <input
                type="checkbox"
                role="switch"
                aria-checked={e.overloaded}
                checked={e.overloaded}
                onChange={(ev) => onOverload(ev.target.checked)}
                aria-label={`Перегрузка: ${title}`}
              />
              <span>
                {e.overloaded ? "перегружена" : "нет"}
                {e.overloaded && e.overloadedAt && (
                  <span className="muted">
                    {" "}
                    с {updated.format(new Date(e.overloadedAt))}, {overloadedBy}
                  </span>
                )}
              </span>
            </label>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          {updated.format(new Date(e.updatedAt))}
          <br />
          <span className="muted">{updatedBy}</span>
        </td>
        <td className="dir-actions">
          <button
            type="button"
            className="button button--small button--secondary"
            onClick={onEdit}
            aria-label={`Изменить: ${title}`}
          >
            Изменить
          </button>
          {e.published ? (
            withdrawing === null && (
              <button type="button" className="button button--small button--ghost" onClick={() => onWithdrawReason("")}>
                Снять с публикации
              </button>
            )
          ) : (
            <button type="button" className="button button--small button--ghost" onClick={() => onPublish(true)}>
              Опубликовать
            </button>
          )}
        </td>
      </tr>
      {withdrawing !== null && (
        <tr>
          <td colSpan={7}>
            <form
              className="dir-withdraw"
              onSubmit={(ev) => {
                ev.preventDefault();
                onPublish(false, withdrawing);
              }}
            >
              <label htmlFor={`dir-reason-${e.id}`}>Почему линия снимается с публикации</label>
              <input
                id={`dir-reason-${e.id}`}
                type="text"
                value={withdrawing}
                onChange={(ev) => onWithdrawReason(ev.target.value)}
                required
              />
              <button type="submit" className="button button--small">
                Снять
              </button>
              <button type="button" className="button button--small button--ghost" onClick={onCancelWithdraw}>
                Отмена
              </button>
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
