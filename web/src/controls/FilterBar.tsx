// The row of filters above a list or a report: one look everywhere, compact fields side by side (wrapping on a
// phone), named for screen readers by its legend.
import type { ReactNode } from "react";
import { InFilterBar } from "./Select.tsx";

export function FilterBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <InFilterBar.Provider value={true}>
      <fieldset className="filters">
        <legend className="visually-hidden">{label}</legend>
        {children}
      </fieldset>
    </InFilterBar.Provider>
  );
}
