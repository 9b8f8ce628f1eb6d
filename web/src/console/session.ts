import { createContext, useContext } from "react";
import type { ResponseOf } from "../api/types.ts";

export type Me = ResponseOf<"/api/v1/auth/me">;
export type StaffUser = Me["user"];
export type Department = ResponseOf<"/api/v1/departments">[number];
/** Everyone, the deactivated too (their names stay in the history); only `active` ones may be given work. */
export type StaffMember = ResponseOf<"/api/v1/staff">[number];
type Lists = ResponseOf<"/api/v1/categories">;
export type Option = Lists["categories"][number];

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
