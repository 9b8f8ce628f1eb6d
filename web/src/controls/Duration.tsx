// A duration as people think of it — days, hours and minutes — kept as minutes, and whether it counts in calendar or
// working time. The SLA's targets are minutes on the wire (30 days = 43 200); nobody should have to type that.
import { count, WORDS } from "../format.ts";
import { Select } from "./Select.tsx";

export type Parts = { days: number; hours: number; minutes: number };

const DAY = 24 * 60;

/** 43 200 → 30 days; 1 530 → 1 day 1 hour 30 minutes. */
export function splitMinutes(total: number): Parts {
  const m = Math.max(0, Math.round(total));
  return { days: Math.floor(m / DAY), hours: Math.floor((m % DAY) / 60), minutes: m % 60 };
}

/** The minutes of what was typed; an empty or broken box counts as nothing. */
export function joinParts(p: { days: string; hours: string; minutes: string }): number {
  const n = (v: string) => {
    const x = Number(v.trim() || "0");
    return Number.isFinite(x) && x >= 0 ? Math.floor(x) : Number.NaN;
  };
  return n(p.days) * DAY + n(p.hours) * 60 + n(p.minutes);
}

/** «30 дней», «1 день 4 часа», «45 минут», «сразу» for nothing. */
export function durationText(total: number): string {
  const { days, hours, minutes } = splitMinutes(total);
  const parts = [
    days ? count(days, ...WORDS.day) : "",
    hours ? count(hours, ...WORDS.hour) : "",
    minutes ? count(minutes, ...WORDS.minute) : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" ") : "сразу";
}

export const BASIS_CHOICES = [
  { value: "calendar", label: "календарное время" },
  { value: "working", label: "рабочее время" },
];

export type DurationValue = { days: string; hours: string; minutes: string; basis: string };

export function durationValue(minutes: number, basis: string): DurationValue {
  const p = splitMinutes(minutes);
  return { days: String(p.days), hours: String(p.hours), minutes: String(p.minutes), basis };
}

/** Three number boxes and the time basis, as one group with its legend. */
export function DurationField(props: {
  id: string;
  legend: string;
  value: DurationValue;
  onChange: (v: DurationValue) => void;
}) {
  const { id, value, onChange } = props;
  const box = (key: "days" | "hours" | "minutes", label: string, max: number) => (
    <div className="duration__part">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type="number"
        inputMode="numeric"
        min={0}
        max={max}
        step={1}
        value={value[key]}
        onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <fieldset className="fieldset fieldset--plain duration">
      <legend>{props.legend}</legend>
      <div className="duration__row">
        {box("days", "дни", 366)}
        {box("hours", "часы", 23)}
        {box("minutes", "минуты", 59)}
        <Select
          id={`${id}-basis`}
          label="считать"
          value={value.basis}
          onChange={(basis) => onChange({ ...value, basis })}
          options={BASIS_CHOICES}
        />
      </div>
    </fieldset>
  );
}
