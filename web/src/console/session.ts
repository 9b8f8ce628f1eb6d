import { createContext, useContext } from "react";
import type { Option } from "../labels.ts";

export type StaffUser = { id: number; email: string; name: string; role: string; departmentId: number | null };
export type Department = { id: number; code: string; name: string };
/** Everyone, the deactivated too (their names stay in the history); only `active` ones may be given work. */
export type StaffMember = { id: number; name: string; role: string; departmentId: number | null; active: boolean };

export type ConsoleData = {
  user: StaffUser;
  categories: Option[];
  audiences: Option[];
  departments: Department[];
  staff: StaffMember[];
  logout: () => Promise<void>;
};

export const ConsoleContext = createContext<ConsoleData | null>(null);

export function useConsole(): ConsoleData {
  const c = useContext(ConsoleContext);
  if (!c) throw new Error("useConsole outside the console");
  return c;
}
