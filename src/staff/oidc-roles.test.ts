import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { claimValues, mapRole, parseRoleMap } from "./oidc-roles.ts";

const map = parseRoleMap(
  JSON.stringify({
    "otklik-line1": "operator",
    "it-support": { role: "specialist", department: "technical" },
    "e-sign": { role: "specialist", department: "e_signature" },
    "otklik-supervisors": { role: "supervisor" },
    "otklik-admins": "administrator",
  }),
);

describe("the role map", () => {
  it("reads a role alone or a role with a department", () => {
    expect(map[0]).toEqual({ value: "otklik-line1", role: "operator", department: null });
    expect(map[1]).toEqual({ value: "it-support", role: "specialist", department: "technical" });
  });

  it.each([
    ["[]", "объект JSON"],
    ["не json", "объект JSON"],
    ['{"a": "boss"}', "одна из ролей"],
    ['{"a": {"department": "technical"}}', "одна из ролей"],
    ['{"a": {"role": "operator", "department": 5}}', "код подразделения"],
    ['{"a": 7}', "роль для «a»"],
  ])("refuses %s", (raw, message) => {
    expect(() => parseRoleMap(raw)).toThrow(message);
  });

  it("stops the start with the variable's name", () => {
    expect(() => loadConfig({ OTKLIK_OIDC_ROLE_MAP: '{"a": "boss"}' })).toThrow(/OTKLIK_OIDC_ROLE_MAP/);
    expect(() => loadConfig({ OTKLIK_OIDC_ISSUER: "http://idp.example.org" })).toThrow(/OTKLIK_OIDC_ISSUER/);
    expect(() => loadConfig({ OTKLIK_OIDC_ISSUER: "https://idp.example.org" })).toThrow(/OTKLIK_OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OTKLIK_PASSWORD_LOGIN: "off" })).toThrow(/OTKLIK_OIDC_ISSUER/);
    const ok = loadConfig({
      OTKLIK_OIDC_ISSUER: "http://127.0.0.1:8080/realms/org",
      OTKLIK_OIDC_CLIENT_ID: "otklik",
      OTKLIK_OIDC_SCOPES: "email profile",
      OTKLIK_PASSWORD_LOGIN: "off",
      OTKLIK_BREAK_GLASS_EMAIL: " Root@Org.Test ",
    });
    expect(ok).toMatchObject({ oidcScopes: "openid email profile", oidcRoleClaim: "roles", oidcRoleMap: [] });
    expect(ok.breakGlassEmail).toBe("root@org.test");
  });
});

describe("the claim's values", () => {
  it("takes a list, one string, space-separated groups, and a dotted path", () => {
    expect(claimValues({ roles: ["a", "b", 3] }, "roles")).toEqual(["a", "b"]);
    expect(claimValues({ role: "a" }, "role")).toEqual(["a"]);
    expect(claimValues({ groups: "a  b" }, "groups")).toEqual(["a", "b"]);
    expect(claimValues({ realm_access: { roles: ["x"] } }, "realm_access.roles")).toEqual(["x"]);
    expect(
      claimValues({ "realm_access.roles": ["literal"], realm_access: { roles: ["x"] } }, "realm_access.roles"),
    ).toEqual(["literal"]);
    expect(claimValues({}, "roles")).toEqual([]);
    expect(claimValues({ roles: { a: 1 } }, "roles")).toEqual([]);
    expect(claimValues({ a: "x" }, "a.b")).toEqual([]);
  });
});

describe("mapping to a role", () => {
  it("gives no access when no value is in the map", () => {
    expect(mapRole([], map)).toBeNull();
    expect(mapRole(["someone-else"], map)).toBeNull();
  });

  it("gives the strongest role, with the department of the first entry of that role naming one", () => {
    expect(mapRole(["otklik-line1"], map)).toEqual({ role: "operator", department: null });
    expect(mapRole(["otklik-line1", "it-support"], map)).toEqual({ role: "specialist", department: "technical" });
    expect(mapRole(["e-sign", "it-support"], map)).toEqual({ role: "specialist", department: "technical" });
    expect(mapRole(["e-sign"], map)).toEqual({ role: "specialist", department: "e_signature" });
    expect(mapRole(["it-support", "otklik-admins", "otklik-supervisors"], map)).toEqual({
      role: "administrator",
      department: null,
    });
  });
});
