// What to do with the selected requests: assign, change the status, the category or the priority, hand over to a
// department, merge them into one request (after a confirmation that says how many go into which). The server changes
// each request on its own and says which could not be changed, and why.
import { type FormEvent, useState } from "react";
import { isValidRequestNumber, normalizeRequestNumber } from "../../../../src/requests/number.ts";
import { api, errorText, ok } from "../../api/client.ts";
import { optionsFrom, optionsOf, Select } from "../../controls/Select.tsx";
import { count, displayRequestNumber, plural, WORDS } from "../../format.ts";
import { PRIORITY_TITLES, STATUS_ORDER, STATUS_TITLES } from "../../labels.ts";
import { useConsole } from "../session.ts";

type Kind = "assign" | "status" | "category" | "priority" | "escalate" | "merge";
type Status = (typeof STATUS_ORDER)[number];
type Priority = "low" | "normal" | "high" | "urgent";
export type BulkOutcome = {
  summary: string;
  changed: string[];
  failed: { number: string; code: string; message: string }[];
};

const KINDS = [
  { value: "assign", label: "Назначить исполнителя" },
  { value: "status", label: "Сменить статус" },
  { value: "category", label: "Сменить категорию" },
  { value: "priority", label: "Сменить приоритет" },
  { value: "escalate", label: "Передать в подразделение" },
  { value: "merge", label: "Объединить с…" },
];

/** The number typed for a merge («№1 030 026», «1030026»): an error to show, or null when it can be sent. */
function targetProblem(input: string): string | null {
  if (!input.trim()) return "Укажите номер обращения, с которым объединить выбранные.";
  const digits = normalizeRequestNumber(input);
  if (!digits) return "Номер обращения состоит из цифр, например 1 030 026.";
  if (!isValidRequestNumber(digits)) return "В номере ошибка: проверьте цифры, особенно последнюю.";
  return null;
}

/** What a bulk merge is about to do, in words: how many requests go into which one. */
export function mergeQuestion(selected: string[], target: string): string {
  const shown = displayRequestNumber(target);
  const merged = selected.filter((n) => n !== target).length;
  const verb = plural(merged, ...WORDS.willBeMerged);
  const lines = [
    `С обращением № ${shown} ${verb} ${count(merged, ...WORDS.request)}.`,
    "Сообщения и файлы перейдут в него, а по каждому объединённому обращению заявителю придёт одно уведомление.",
  ];
  if (merged < selected.length) lines.push(`Само обращение № ${shown} есть среди выбранных и останется как было.`);
  lines.push("Нажмите «Да, объединить».");
  return lines.join(" ");
}

export function BulkBar({
  selected,
  onDone,
  onClear,
}: {
  selected: string[];
  onDone: (outcome: BulkOutcome) => void;
  onClear: () => void;
}) {
  const { user, staff, categories, departments } = useConsole();
  const [kind, setKind] = useState<Kind>("assign");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [into, setInto] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const action = () => {
    switch (kind) {
      case "assign":
        return { type: "assign" as const, assigneeId: value === "none" ? null : Number(value) };
      case "status":
        return { type: "status" as const, status: value as Status };
      case "category":
        return { type: "category" as const, category: value };
      case "priority":
        return { type: "priority" as const, priority: value as Priority };
      case "escalate":
        return { type: "escalate" as const, department: value, reason: reason.trim() };
      case "merge":
        return { type: "merge" as const, into: target ?? "" };
    }
  };

  const target = kind === "merge" ? normalizeRequestNumber(into) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (kind === "merge") {
      const problem = targetProblem(into);
      if (problem) return setError(problem);
      if (target && selected.every((n) => n === target))
        return setError(
          `Выбрано только обращение № ${displayRequestNumber(target)}, с которым нужно объединять. Выберите его дубли.`,
        );
      if (!confirming) {
        setError(null);
        return setConfirming(true);
      }
    } else {
      if (!value) return setError("Выберите, на что изменить.");
      if (kind === "escalate" && !reason.trim()) return setError("Укажите причину передачи.");
    }
    setBusy(true);
    setError(null);
    try {
      onDone(await ok(api.POST("/api/v1/requests/bulk", { body: { numbers: selected, action: action() } })));
      setConfirming(false);
    } catch (err) {
      setError(errorText(err));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  const choices =
    kind === "assign"
      ? [
          { value: "none", label: "Не назначен" },
          ...staff
            .filter((s) => s.active)
            .map((s) => ({ value: String(s.id), label: s.id === user.id ? `${s.name} (я)` : s.name })),
        ]
      : kind === "status"
        ? STATUS_ORDER.map((s) => ({ value: s, label: STATUS_TITLES[s] ?? s }))
        : kind === "category"
          ? optionsFrom(categories)
          : kind === "priority"
            ? optionsOf(PRIORITY_TITLES)
            : optionsFrom(departments);

  return (
    <form className="bulk-bar" aria-label="Действия с выбранными обращениями" onSubmit={(e) => void submit(e)}>
      <p className="bulk-bar__count" aria-live="polite">
        Выбрано: {count(selected.length, ...WORDS.request)}
      </p>
      <Select
        id="bulk-kind"
        label="Действие"
        value={kind}
        onChange={(v) => {
          setKind(v as Kind);
          setValue("");
          setConfirming(false);
          setError(null);
        }}
        options={KINDS}
      />
      {kind === "merge" ? (
        <div className="field field--inline">
          <label htmlFor="bulk-into">Номер обращения, с которым объединить</label>
          <input
            id="bulk-into"
            inputMode="numeric"
            autoComplete="off"
            maxLength={40}
            value={into}
            aria-describedby="bulk-into-hint"
            onChange={(e) => {
              setInto(e.target.value);
              setConfirming(false);
            }}
          />
        </div>
      ) : (
        <Select
          id="bulk-value"
          label="Новое значение"
          value={value}
          onChange={setValue}
          empty="Выберите"
          options={choices}
        />
      )}
      {kind === "escalate" && (
        <div className="field field--inline">
          <label htmlFor="bulk-reason">Причина передачи</label>
          <input id="bulk-reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        </div>
      )}
      <div className="bulk-bar__buttons">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Применяем…" : confirming ? "Да, объединить" : "Применить"}
        </button>
        <button type="button" className="button button--secondary" onClick={onClear} disabled={busy}>
          Снять выбор
        </button>
      </div>
      {kind === "merge" && (
        <p className="field__hint bulk-bar__hint" id="bulk-into-hint" aria-live="polite">
          {confirming && target
            ? mergeQuestion(selected, target)
            : "Для дублей: переписка выбранных перейдёт в указанное обращение, а сами они закроются. Номер можно вводить с пробелами."}
        </p>
      )}
      {error && (
        <p className="alert alert--error bulk-bar__error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The server's summary and, under it, each request that stayed as it was with the reason. */
export function BulkResult({ outcome, onClose }: { outcome: BulkOutcome; onClose: () => void }) {
  return (
    <section
      className={`alert${outcome.failed.length ? " alert--error" : ""} bulk-result`}
      role="status"
      aria-label="Итог изменения"
    >
      <p>{outcome.summary}</p>
      {outcome.failed.length > 0 && (
        <ul>
          {outcome.failed.map((f) => (
            <li key={f.number}>
              {displayRequestNumber(f.number)}: {f.message}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button button--small button--secondary" onClick={onClose}>
        Закрыть
      </button>
    </section>
  );
}
