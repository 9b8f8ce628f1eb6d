// Which Otklik role and department a directory's claim gives. Pure: no I/O, tested exhaustively.
import { ROLES, type Role } from "./schema.ts";

/** One value of the role claim (a role, a group) and what it gives in Otklik. */
export type RoleMapEntry = { value: string; role: Role; department: string | null };

// The stronger role wins when a person is in several groups.
const STRENGTH: Record<Role, number> = { operator: 0, specialist: 1, supervisor: 2, administrator: 3 };

/** Reads OTKLIK_OIDC_ROLE_MAP: `{"value": "role"}` or `{"value": {"role": "…", "department": "code"}}`. */
export function parseRoleMap(raw: string): RoleMapEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error("объект JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("объект JSON");
  return Object.entries(parsed).map(([value, target]) => {
    const spec = typeof target === "string" ? { role: target } : target;
    if (typeof spec !== "object" || spec === null) throw new Error(`роль для «${value}»`);
    const { role, department } = spec as { role?: unknown; department?: unknown };
    if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) {
      throw new Error(`для «${value}» одна из ролей ${ROLES.join(", ")}`);
    }
    if (department !== undefined && department !== null && typeof department !== "string") {
      throw new Error(`для «${value}» код подразделения строкой`);
    }
    return { value, role: role as Role, department: department ?? null };
  });
}

/**
 * The claim's values: a list, one string, or a space-separated string (some providers join groups so). A dotted
 * path reaches inside objects (Keycloak puts realm roles at realm_access.roles); a claim literally named with dots
 * is taken first.
 */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  let value: unknown = claims[name];
  if (value === undefined && name.includes(".")) {
    value = claims;
    for (const part of name.split(".")) {
      value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    }
  }
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/**
 * The role and department the claim's values give, or null when none of them is in the map (no access). The
 * strongest role wins; its department is that of the first entry of that role naming one, in the map's order.
 */
export function mapRole(
  values: readonly string[],
  map: readonly RoleMapEntry[],
): { role: Role; department: string | null } | null {
  const held = new Set(values);
  const matched = map.filter((e) => held.has(e.value));
  if (matched.length === 0) return null;
  const role = matched.reduce((best, e) => (STRENGTH[e.role] > STRENGTH[best] ? e.role : best), matched[0]!.role);
  const department = matched.find((e) => e.role === role && e.department !== null)?.department ?? null;
  return { role, department };
}
