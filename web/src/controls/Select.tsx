// The one drop-down of the app: a native <select> (so the keyboard and screen readers work as everywhere: arrows,
// type-ahead, Alt+↓), always with a label — shown, or read only by screen readers where the row says it — and with
// its hint and error wired to it. Inside a FilterBar it takes the bar's compact layout.
import { createContext, type KeyboardEvent, type ReactNode, useContext, useId, useRef, useState } from "react";

export type SelectOption = { value: string; label: string; disabled?: boolean };
export type SelectGroup = { group: string; options: readonly SelectOption[] };

/** Options from the API's code lists: `{ code, title }` or `{ code, name }`. */
export function optionsFrom(list: readonly ({ code: string; title: string } | { code: string; name: string })[]) {
  return list.map((o): SelectOption => ({ value: o.code, label: "title" in o ? o.title : o.name }));
}

/** Options from a table of titles (`CHANNEL_TITLES`), in its order. */
export function optionsOf(titles: Readonly<Record<string, string>>): SelectOption[] {
  return Object.entries(titles).map(([value, label]) => ({ value, label }));
}

export const InFilterBar = createContext(false);

type Props = {
  label: ReactNode;
  /** The label is read by screen readers only: the row around the select already says what it is. */
  hideLabel?: boolean;
  value: string | number;
  onChange: (value: string) => void;
  options: readonly (SelectOption | SelectGroup)[];
  /** A first choice meaning «none» or «any», with the value "". */
  empty?: string;
  hint?: ReactNode;
  error?: string | null;
  id?: string;
  disabled?: boolean;
  /** Ids of other elements that describe the select (besides its own hint and error). */
  describedBy?: string;
  /** The select acts at once (assigns, re-categorises): see SelectInput. */
  actsAtOnce?: boolean;
};

export function Select(props: Props) {
  const own = useId();
  const id = props.id ?? own;
  const inline = useContext(InFilterBar);
  const hintId = props.hint ? `${id}-hint` : null;
  const errorId = props.error ? `${id}-error` : null;
  const describedBy = [errorId, hintId, props.describedBy].filter(Boolean).join(" ") || undefined;
  const classes = ["field", inline && "field--inline", props.hideLabel && "field--bare", props.error && "field--error"]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={classes}>
      <label htmlFor={id} className={props.hideLabel ? "visually-hidden" : undefined}>
        {props.label}
      </label>
      <SelectInput
        id={id}
        value={props.value}
        disabled={props.disabled}
        onChange={props.onChange}
        options={props.options}
        empty={props.empty}
        invalid={Boolean(props.error)}
        describedBy={describedBy}
        actsAtOnce={props.actsAtOnce}
      />
      {props.hint && (
        <p className="field__hint" id={hintId ?? undefined}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field__error" id={errorId ?? undefined}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * The bare drop-down, for a field that draws its own label and messages (the directory editor's fields, whose
 * messages come from the checker). Everywhere else: Select.
 */
export function SelectInput(props: {
  id: string;
  value: string | number;
  onChange: (value: string) => void;
  options: readonly (SelectOption | SelectGroup)[];
  empty?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  /**
   * Browsers change a closed select's value on every arrow key. For a select that acts at once, keys only move the
   * choice; Enter or leaving the select acts, so arrowing past three employees does not assign three times. A
   * choice made with the mouse, or in the opened list, acts at once as before.
   */
  actsAtOnce?: boolean;
}) {
  const [moving, setMoving] = useState<string | null>(null);
  const keyed = useRef(false);
  const settle = () => {
    if (moving !== null && moving !== String(props.value)) props.onChange(moving);
    setMoving(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLSelectElement>) => {
    if (!props.actsAtOnce) return;
    if (e.key === "Enter" && moving !== null) {
      e.preventDefault();
      settle();
      return;
    }
    keyed.current = MOVING_KEYS.has(e.key) || (e.key.length === 1 && !e.altKey && !e.ctrlKey && !e.metaKey);
  };
  return (
    <select
      id={props.id}
      value={moving ?? String(props.value)}
      disabled={props.disabled}
      onKeyDown={onKeyDown}
      onBlur={props.actsAtOnce ? settle : undefined}
      onChange={(e) => {
        if (props.actsAtOnce && keyed.current) setMoving(e.target.value);
        else props.onChange(e.target.value);
        keyed.current = false;
      }}
      aria-invalid={props.invalid ? true : undefined}
      aria-describedby={props.describedBy}
    >
      {props.empty !== undefined && <option value="">{props.empty}</option>}
      {props.options.map((o) =>
        "group" in o ? (
          <optgroup key={o.group} label={o.group}>
            {o.options.map(option)}
          </optgroup>
        ) : (
          option(o)
        ),
      )}
    </select>
  );
}

const MOVING_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);

function option(o: SelectOption) {
  return (
    <option key={o.value} value={o.value} disabled={o.disabled}>
      {o.label}
    </option>
  );
}
