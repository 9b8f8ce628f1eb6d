// A drop-down of named items with one button that runs the picked one (an answer template to insert, a macro to
// apply): busy while it runs, its error under the field, the choice cleared once it has run.
import { useId, useState } from "react";
import { errorText } from "../api/client.ts";
import { Select } from "./Select.tsx";

export function PickAndRun<T extends { id: number; title: string }>({
  label,
  hint,
  action,
  items,
  run,
}: {
  label: string;
  hint?: string;
  /** The button's words («Вставить шаблон»). */
  action: string;
  items: readonly T[];
  run: (item: T) => Promise<void>;
}) {
  const id = useId();
  const [chosen, setChosen] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (items.length === 0) return null;

  const go = async () => {
    const item = items.find((x) => String(x.id) === chosen);
    if (!item) return;
    setBusy(true);
    setError(null);
    try {
      await run(item);
      setChosen("");
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="template-picker">
      <Select
        id={id}
        label={label}
        value={chosen}
        onChange={setChosen}
        empty="—"
        options={items.map((x) => ({ value: String(x.id), label: x.title }))}
        {...(hint ? { hint } : {})}
        error={error}
      />
      <button
        type="button"
        className="button button--small button--secondary"
        disabled={!chosen || busy}
        onClick={() => void go()}
      >
        {action}
      </button>
    </div>
  );
}
