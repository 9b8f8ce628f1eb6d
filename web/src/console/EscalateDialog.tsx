// Handing a request to a department: a modal <dialog> (Esc closes it, focus stays inside while open).
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api, errorText } from "../api/client.ts";
import { optionsFrom, Select } from "../controls/Select.tsx";
import type { Department } from "./session.ts";

export function EscalateDialog({
  number,
  current,
  departments,
  open,
  onClose,
  onDone,
}: {
  number: string;
  current: string | null;
  departments: Department[];
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const choices = departments.filter((d) => d.code !== current);
  const [department, setDepartment] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setDepartment("");
      setReason("");
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!department) return setError("Выберите подразделение.");
    if (!reason.trim()) return setError("Укажите причину: что должно сделать подразделение.");
    setSending(true);
    try {
      await api.POST("/api/v1/requests/{number}/escalate", {
        params: { path: { number } },
        body: { department, reason: reason.trim() },
      });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="escalate-title" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="escalate-title">Передать в профильное подразделение</h2>
        {error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
        <Select
          id="esc-department"
          label="Подразделение"
          value={department}
          onChange={(v) => {
            setDepartment(v);
            setError(null);
          }}
          empty="Выберите…"
          options={optionsFrom(choices)}
        />
        <div className="field">
          <label htmlFor="esc-reason">Причина передачи</label>
          <textarea
            id="esc-reason"
            rows={4}
            maxLength={2000}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
              setError(null);
            }}
            aria-describedby="esc-reason-hint"
          />
          <p className="field__hint" id="esc-reason-hint">
            Видна только сотрудникам. Напишите, что уже проверено и что нужно от подразделения.
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="button" disabled={sending}>
            Передать
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            Отмена
          </button>
        </div>
      </form>
    </dialog>
  );
}
