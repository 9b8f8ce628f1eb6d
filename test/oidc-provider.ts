// A local OpenID Connect provider for tests: panva's oidc-provider (the certified implementation) on a loopback
// port, with its development login and consent pages, accounts whose claims a test sets, and signing keys a test
// can rotate. `Browser` walks its pages with HTTP requests and a cookie jar, as a person's browser would.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider from "oidc-provider";
import type { TestServer } from "./harness.ts";

export const CLIENT_ID = "otklik";
export const CLIENT_SECRET = "otklik-test-client-secret";

export type StandIn = {
  issuer: string;
  /** Claims by login name (the login is the subject); change them between sign-ins. */
  accounts: Map<string, Record<string, unknown>>;
  /** A new signing key replaces the old one; the JWKS then publishes only the new key. */
  rotateKeys(): Promise<string>;
  kid: string;
  close(): Promise<void>;
};

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
}

export async function startOidcProvider(redirectUri: string, port = 0): Promise<StandIn> {
  let current: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (!current) return res.writeHead(503).end();
    current.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, Record<string, unknown>>();
  let generation = 0;

  const build = async () => {
    const kid = `key-${++generation}`;
    current = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [redirectUri],
          response_types: ["code"],
          grant_types: ["authorization_code"],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      jwks: { keys: [await signingKey(kid)] },
      cookies: { keys: ["oidc-stand-in-cookie-key"] },
      claims: { email: ["email", "email_verified"], profile: ["name"], roles: ["roles"] },
      // The role claim in the ID token itself, as Entra ID and a Keycloak mapper put it.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true } },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      async findAccount(_ctx, id) {
        const claims = accounts.get(id);
        if (!claims) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
      },
    });
    return kid;
  };
  const stand: StandIn = {
    issuer,
    accounts,
    kid: await build(),
    async rotateKeys() {
      stand.kid = await build();
      return stand.kid;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stand;
}

type Answer = { status: number; location: string | undefined; body: string; setCookies: string[] };

/** A browser of one person: cookies per host, redirects followed by hand, the provider's pages filled in. */
export class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  constructor(
    private readonly otklik: TestServer,
    private readonly login: string,
  ) {}

  cookieHeader(host: string): string {
    return [...(this.jar.get(host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(host: string, setCookies: string[]) {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, jar);
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split("=");
        return (
          (k?.toLowerCase() === "expires" && new Date(v ?? "").getTime() < Date.now()) ||
          (k?.toLowerCase() === "max-age" && Number(v) <= 0)
        );
      });
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** One request, to Otklik (through inject) or to the provider (over HTTP), cookies sent and kept. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; accept?: string } = {}) {
    const u = new URL(url, "http://otklik.test");
    const method = init.method ?? "GET";
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = { cookie: this.cookieHeader(u.host), accept: init.accept ?? "text/html" };
    if (body) headers["content-type"] = "application/x-www-form-urlencoded";
    let answer: Answer;
    if (u.host === "otklik.test") {
      const res = await this.otklik.app.inject({ method: method as "GET", url: u.pathname + u.search, headers, body });
      const raw = res.headers["set-cookie"];
      answer = {
        status: res.statusCode,
        location: res.headers.location as string | undefined,
        body: res.body,
        setCookies: raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)],
      };
    } else {
      const res = await fetch(u, { method, headers, body, redirect: "manual" });
      answer = {
        status: res.status,
        location: res.headers.get("location") ?? undefined,
        body: await res.text(),
        setCookies: res.headers.getSetCookie(),
      };
    }
    this.keep(u.host, answer.setCookies);
    if (answer.location) answer.location = new URL(answer.location, u).href;
    return answer;
  }

  /**
   * From Otklik's «sign in with SSO» to the provider's redirect back: signs in and consents on the provider's pages
   * as needed and returns the callback address (not yet visited), so a test can visit, replay or alter it.
   */
  async toCallback(startUrl = "/api/v1/auth/oidc/start"): Promise<string> {
    let at = new URL(startUrl, "http://otklik.test").href;
    let answer = await this.request(at);
    for (let step = 0; step < 20; step++) {
      if (answer.location) {
        if (answer.location.startsWith("http://otklik.test/")) return answer.location;
        at = answer.location;
        answer = await this.request(at);
        continue;
      }
      if (answer.status === 200 && answer.body.includes('name="prompt" value="login"')) {
        answer = await this.request(new URL(formAction(answer.body), at).href, {
          method: "POST",
          form: { prompt: "login", login: this.login, password: "any" },
        });
        continue;
      }
      if (answer.status === 200 && answer.body.includes('name="prompt" value="consent"')) {
        const action = new URL(formAction(answer.body), at).href;
        answer = await this.request(action, { method: "POST", form: { prompt: "consent" } });
        continue;
      }
      throw new Error(`the provider answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
    throw new Error("too many redirects");
  }
}

function formAction(html: string): string {
  const m = /<form[^>]*action="([^"]+)"/.exec(html);
  if (!m) throw new Error("no form on the provider's page");
  return m[1]!;
}
