// The published description of the portal connector and the HTTP connector describe the same calls.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APPLICATION_STATUSES } from "./connector.ts";

const doc = JSON.parse(readFileSync(new URL("../../docs/portal-connector.openapi.json", import.meta.url), "utf8"));
const source = readFileSync(new URL("./http-connector.ts", import.meta.url), "utf8");

describe("docs/portal-connector.openapi.json", () => {
  it("documents every path the HTTP connector calls, with its method", () => {
    const calls = [...source.matchAll(/this\.call(?:<[^>]*>)?\("(GET|POST|PUT)", `([^`?]+)/g)].map(
      ([, method, path]) => [method!.toLowerCase(), path!.replace(/\$\{[^}]+\}/g, "{x}")] as const,
    );
    expect(calls.length).toBe(5);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p.replace(/\{[^}]+\}/g, "{x}")}`),
    );
    for (const [method, path] of calls) expect(documented).toContain(`${method} ${path}`);
  });

  it("names the account of an application, which the status is read to", () => {
    expect(doc.components.schemas.Application.required).toContain("accountId");
  });

  it("lists the statuses the connector knows", () => {
    expect(doc.components.schemas.Application.properties.status.enum).toEqual([...APPLICATION_STATUSES]);
  });
});
