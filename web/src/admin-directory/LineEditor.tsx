// Editing one line: the whole directory is checked on save, and the checker's messages appear beside the fields.
import { type ReactNode, useEffect, useRef, useState } from "react";
import { ApiError, api, errorText, ok } from "../api/client.ts";
import { Select, SelectInput } from "../controls/Select.tsx";
import { AUDIENCES, DISTRICTS, KINDS, type LineForm, type Period, ROLES, TOPICS, toEntry } from "./form.ts";
import { ProblemList, problemsByField } from "./ProblemList.tsx";
import { sentence } from "./problemText.ts";
import type { CheckReport, Problem } from "./types.ts";

const pairs = (list: readonly (readonly [string, string])[]) => list.map(([value, label]) => ({ value, label }));
const COSTS = [
  { value: "free", label: "бесплатно" },
  { value: "tariff", label: "по тарифу оператора" },
];
const SCHEDULE_MODES = [
  { value: "always", label: "круглосуточно" },
  { value: "periods", label: "по часам" },
  { value: "unknown", label: "часы не известны" },
];
const PERIOD_DAYS = [
  { value: "working", label: "рабочие дни" },
  { value: "nonworking", label: "выходные и праздники" },
  { value: "all", label: "ежедневно" },
  { value: "custom", label: "дни недели…" },
];

type Props = {
  initial: LineForm;
  isNew: boolean;
  sections: string[];
  lineIds: string[];
  onSaved: (report: CheckReport, id: string) => void;
  onCancel: () => void;
};

export function LineEditor({ initial, isNew, sections, lineIds, onSaved, onCancel }: Props) {
  const [f, setF] = useState<LineForm>(initial);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // The editor opens in place of the table: move the focus (and a screen reader) to it.
  useEffect(() => heading.current?.focus(), []);
  const set = <K extends keyof LineForm>(k: K, v: LineForm[K]) => setF((x) => ({ ...x, [k]: v }));
  const byField = problemsByField(problems, f.id.trim());
  const elsewhere = problems.filter((p) => p.entry !== f.id.trim() || !p.field);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const id = f.id.trim();
    if (!/^[A-Za-z0-9_.-]{1,80}$/.test(id)) {
      setError("id: латинские буквы, цифры, точка, дефис или подчёркивание.");
      return;
    }
    if (isNew && lineIds.includes(id)) {
      setError(`Строка с id «${id}» уже есть.`);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const report = await ok(
        api.PUT("/api/v1/admin/directory/lines/{id}", {
          params: { path: { id } },
          body: { entry: toEntry(f), section: f.section, comment: f.comment },
        }),
      );
      setProblems([]);
      onSaved(report, id);
    } catch (err) {
      if (err instanceof ApiError && err.code === "directory_invalid") {
        setProblems(err.fieldErrors as unknown as Problem[]);
        setError(err.message);
      } else setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const field = (name: string, label: string, input: ReactNode, hint?: string) => {
    const ps = byField.get(name) ?? [];
    const errorsOf = ps.filter((p) => p.severity === "error");
    return (
      <div className={`field${errorsOf.length ? " field--error" : ""}`}>
        <label htmlFor={`dl-${name}`}>{label}</label>
        {input}
        {hint && <p className="field__hint">{hint}</p>}
        {ps.map((p) => (
          <p
            key={`${p.code}-${p.message}`}
            className={p.severity === "error" ? "field__error" : "dir-warning"}
            id={`dl-${name}-problem`}
          >
            {sentence(p.message)}
          </p>
        ))}
      </div>
    );
  };
  const described = (name: string) => (byField.get(name)?.length ? `dl-${name}-problem` : undefined);
  const invalid = (name: string) => (byField.get(name)?.some((p) => p.severity === "error") ? true : undefined);
  const text = (name: keyof LineForm & string, extra: Record<string, unknown> = {}) => (
    <input
      id={`dl-${name}`}
      type="text"
      value={f[name] as string}
      onChange={(e) => set(name, e.target.value as never)}
      aria-describedby={described(name)}
      aria-invalid={invalid(name)}
      {...extra}
    />
  );
  const checks = (name: "audience" | "topics" | "districts", options: readonly (readonly [string, string])[]) => (
    <fieldset className="fieldset dir-checks" aria-describedby={described(name)}>
      {options.map(([code, title]) => (
        <label key={code} className="checkbox">
          <input
            type="checkbox"
            checked={f[name].includes(code)}
            onChange={(e) =>
              set(name, e.target.checked ? [...f[name], code] : f[name].filter((c: string) => c !== code))
            }
          />
          <span>{title}</span>
        </label>
      ))}
    </fieldset>
  );
  const setPeriod = (i: number, patch: Partial<Period>) =>
    set(
      "periods",
      f.periods.map((p, j) => (j === i ? { ...p, ...patch } : p)),
    );

  return (
    <form className="dir-editor" onSubmit={save} noValidate aria-labelledby="dl-title-h">
      <h2 id="dl-title-h" ref={heading} tabIndex={-1}>
        {isNew ? "Новая строка справочника" : `Строка ${f.id}`}
      </h2>
      {error && (
        <div className="alert alert--error" role="alert">
          <p>{error}</p>
          <ProblemList problems={elsewhere} caption="Замечания проверки к другим строкам и ко всему справочнику" />
        </div>
      )}
      <div className="dir-editor__grid">
        {field("id", "id (не меняется после создания)", text("id", { readOnly: !isNew }))}
        {field(
          "section",
          "Раздел",
          <>
            <input
              id="dl-section"
              type="text"
              list="dl-sections"
              value={f.section}
              onChange={(e) => set("section", e.target.value)}
            />
            <datalist id="dl-sections">
              {sections.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          </>,
        )}
        {field("title", "Название", text("title"))}
        {field("purpose", "Назначение", text("purpose"))}
        {field("number", "Номер, как его пишут", text("number", { inputMode: "tel" }), "Например: 8‑800‑555‑35‑35")}
        {field("e164", "Номер в E.164", text("e164", { inputMode: "tel" }), "Например: +78005553535")}
        {field("written", "Написание источника (если номер поправлен)", text("written"))}
        {field(
          "kind",
          "Вид линии",
          <SelectInput
            id="dl-kind"
            value={f.kind}
            onChange={(v) => set("kind", v)}
            options={pairs(KINDS)}
            describedBy={described("kind")}
          />,
        )}
        {field(
          "role",
          "Роль",
          <SelectInput
            id="dl-role"
            value={f.role}
            onChange={(v) => set("role", v)}
            options={pairs(ROLES)}
            describedBy={described("role")}
          />,
        )}
        {field("backs", "Подменяет линию (id, для резерва)", text("backs"))}
        {field("audience", "Для кого", checks("audience", AUDIENCES))}
        {field("topics", "Темы", checks("topics", TOPICS))}
        {field(
          "region",
          "Регионы (через точку с запятой)",
          <input
            id="dl-region"
            type="text"
            value={f.regions}
            onChange={(e) => set("regions", e.target.value)}
            aria-describedby={described("region")}
            aria-invalid={invalid("region")}
          />,
          "Пусто — вся страна",
        )}
        {field("districts", "Федеральные округа", checks("districts", DISTRICTS))}
        {field("timezone", "Часовой пояс (IANA)", text("timezone"))}
        {field(
          "cost",
          "Стоимость звонка",
          <SelectInput id="dl-cost" value={f.cost} onChange={(v) => set("cost", v)} options={COSTS} />,
        )}
        {field("languages", "Языки", text("languages"))}
      </div>

      {field(
        "schedule",
        "Часы работы",
        <div className="dir-schedule" id="dl-schedule" aria-describedby={described("schedule")}>
          <Select
            label="Вид расписания"
            hideLabel
            value={f.scheduleMode}
            onChange={(v) => set("scheduleMode", v as LineForm["scheduleMode"])}
            options={SCHEDULE_MODES}
          />
          {f.scheduleMode === "periods" &&
            f.periods.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: periods have no identity but their place
              <div key={i} className="dir-period">
                <Select
                  label={`Дни, период ${i + 1}`}
                  hideLabel
                  value={p.days}
                  onChange={(v) => setPeriod(i, { days: v })}
                  options={PERIOD_DAYS}
                />
                {p.days === "custom" && (
                  <input
                    type="text"
                    aria-label={`Дни недели, период ${i + 1}`}
                    placeholder="mon, tue, wed"
                    value={p.custom}
                    onChange={(e) => setPeriod(i, { custom: e.target.value })}
                  />
                )}
                <input
                  type="text"
                  aria-label={`С, период ${i + 1}`}
                  value={p.from}
                  inputMode="numeric"
                  onChange={(e) => setPeriod(i, { from: e.target.value })}
                />
                <input
                  type="text"
                  aria-label={`До, период ${i + 1}`}
                  value={p.to}
                  inputMode="numeric"
                  onChange={(e) => setPeriod(i, { to: e.target.value })}
                />
                <button
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() =>
                    set(
                      "periods",
                      f.periods.filter((_, j) => j !== i),
                    )
                  }
                >
                  Удалить период
                </button>
              </div>
            ))}
          {f.scheduleMode === "periods" && (
            <button
              type="button"
              className="button button--small button--secondary"
              onClick={() =>
                set("periods", [...f.periods, { days: "nonworking", custom: "", from: "10:00", to: "16:00" }])
              }
            >
              Добавить период
            </button>
          )}
        </div>,
        "Время по часовому поясу линии; «до 20:00» — в 20:00 уже закрыто.",
      )}

      <div className="dir-editor__grid">
        <label className="checkbox">
          <input type="checkbox" checked={f.abroad} onChange={(e) => set("abroad", e.target.checked)} />
          <span>Предлагать звонящим из-за рубежа</span>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={f.published} onChange={(e) => set("published", e.target.checked)} />
          <span>Опубликована</span>
        </label>
        {field("unpublishedReason", "Причина снятия с публикации", text("unpublishedReason"))}
        {field("sameAs", "Тот же номер, что у строки (id)", text("sameAs"))}
        {field("notes", "Примечание для звонящих", text("notes"))}
      </div>
      {field(
        "comment",
        "Комментарий в файле (откуда данные, почему так)",
        <textarea id="dl-comment" rows={3} value={f.comment} onChange={(e) => set("comment", e.target.value)} />,
      )}
      <div className="form__actions">
        <button type="submit" className="button" disabled={saving}>
          {saving ? "Проверяем и сохраняем…" : "Сохранить"}
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel}>
          Отмена
        </button>
      </div>
    </form>
  );
}
