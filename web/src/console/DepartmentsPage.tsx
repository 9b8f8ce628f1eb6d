// Departments and their working hours: the SLA's working time of a department's requests runs inside them, on the
// working days of the production calendar. Supervisors read; administrators rename, change the hours, add one. The
// chat operators' hours, a setting of their own, are kept here too.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import { ChatHoursPanel } from "../chat/ChatHoursPanel.tsx";
import { useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Department = ResponseOf<"/api/v1/admin/departments">[number];

export function DepartmentsPage() {
  useTitle("Подразделения и часы работы — Консоль поддержки");
  const { user } = useConsole();
  const admin = user.role === "administrator";
  const read = $api.useQuery("get", "/api/v1/admin/departments");
  const list = read.data ?? null;
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const error = failureOf(read)?.message ?? null;

  return (
    <div className="admin-page">
      <h1>Подразделения и часы работы</h1>
      <p className="muted">
        Рабочее время в сроках SLA считается в часах подразделения обращения, в рабочие дни производственного календаря;
        предпраздничный день на час короче. Время — по часовому поясу подразделения (по умолчанию московское).
      </p>
      {(error || notice) && (
        <p
          className={`alert ${error || !notice?.ok ? "alert--error" : ""}`}
          role={error || !notice?.ok ? "alert" : "status"}
        >
          {error ?? notice?.text}
        </p>
      )}
      {list === null ? (
        <p className="loading">Загрузка…</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Подразделение</th>
              <th scope="col">Код</th>
              <th scope="col">Часы работы</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) =>
              admin ? (
                <DepartmentRow key={d.id} department={d} onDone={setNotice} />
              ) : (
                <tr key={d.id}>
                  <td data-label="Подразделение">{d.name}</td>
                  <td data-label="Код">
                    <code>{d.code}</code>
                  </td>
                  <td data-label="Часы работы">
                    {d.hours.from}–{d.hours.to} <span className="muted">{zoneTitle(d.hours.zone)}</span>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {admin && <NewDepartment onDone={setNotice} />}
      {admin && <ChatHoursPanel />}
    </div>
  );
}

const zoneTitle = (zone: string) => (zone === "Europe/Moscow" ? "по московскому времени" : `(${zone})`);

type Notice = (n: { ok: boolean; text: string }) => void;

function useReload() {
  const queries = useQueryClient();
  return () =>
    queries.invalidateQueries({
      predicate: ({ queryKey }) => queryKey[1] === "/api/v1/admin/departments" || queryKey[1] === "/api/v1/departments",
    });
}

function DepartmentRow({ department: d, onDone }: { department: Department; onDone: Notice }) {
  const reload = useReload();
  const [name, setName] = useState(d.name);
  const [from, setFrom] = useState(d.hours.from);
  const [to, setTo] = useState(d.hours.to);
  const [busy, setBusy] = useState(false);
  const changed = name !== d.name || from !== d.hours.from || to !== d.hours.to;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.PATCH("/api/v1/admin/departments/{id}", {
        params: { path: { id: d.id } },
        body: { name, hours: { zone: d.hours.zone, from, to } },
      });
      onDone({ ok: true, text: `«${name}»: сохранено, часы работы ${from}–${to}.` });
      await reload();
    } catch (err) {
      onDone({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const form = `dept-${d.id}`;
  return (
    <tr data-department={d.code}>
      <td data-label="Подразделение">
        <label className="visually-hidden" htmlFor={`${form}-name`}>
          Название подразделения {d.code}
        </label>
        <input id={`${form}-name`} form={form} value={name} onChange={(e) => setName(e.target.value)} />
      </td>
      <td data-label="Код">
        <code>{d.code}</code>
      </td>
      <td data-label="Часы работы">
        <form id={form} className="hours-form" onSubmit={save}>
          <label htmlFor={`${form}-from`}>с</label>
          <input id={`${form}-from`} type="time" value={from} required onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={`${form}-to`}>до</label>
          <input id={`${form}-to`} type="time" value={to} required onChange={(e) => setTo(e.target.value)} />
          <span className="muted">{zoneTitle(d.hours.zone)}</span>
          <button
            type="submit"
            className="button button--small"
            disabled={busy || !changed}
            aria-label={`Сохранить: ${d.name}`}
          >
            Сохранить
          </button>
        </form>
      </td>
    </tr>
  );
}

function NewDepartment({ onDone }: { onDone: Notice }) {
  const reload = useReload();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [from, setFrom] = useState("09:00");
  const [to, setTo] = useState("18:00");
  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.POST("/api/v1/admin/departments", { body: { code: code.trim(), name, hours: { from, to } } });
      onDone({ ok: true, text: `Подразделение «${name}» добавлено.` });
      setCode("");
      setName("");
      await reload();
    } catch (err) {
      onDone({ ok: false, text: errorText(err) });
    }
  };
  return (
    <form className="card form" onSubmit={add}>
      <h2 className="card__title">Новое подразделение</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="dept-new-name">Название</label>
          <input id="dept-new-name" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="dept-new-code">Код</label>
          <p className="field__hint" id="dept-new-code-hint">
            Латинские строчные буквы, цифры и «_»
          </p>
          <input
            id="dept-new-code"
            aria-describedby="dept-new-code-hint"
            value={code}
            required
            pattern="[a-z][a-z0-9_]{1,39}"
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="dept-new-from">Начало дня</label>
          <input id="dept-new-from" type="time" value={from} required onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="dept-new-to">Конец дня</label>
          <input id="dept-new-to" type="time" value={to} required onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      <div className="form__actions">
        <button type="submit" className="button">
          Добавить
        </button>
      </div>
    </form>
  );
}
