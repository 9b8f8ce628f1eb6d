// The HTTP connector to a real portal's operator API, as docs/portal-connector.openapi.json describes it.
import { type PortalAccount, type PortalApplication, type PortalConnector, PortalError } from "./connector.ts";

const TIMEOUT_MS = 10_000;

export class HttpPortal implements PortalConnector {
  readonly name = "http" as const;
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl.replace(/\/$/, "") + path, {
        method,
        headers: {
          accept: "application/json",
          ...(body ? { "content-type": "application/json" } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new PortalError("portal_unavailable", "Портал не отвечает. Повторите позже.");
    }
    if (res.status === 404) return null;
    if (res.status >= 500) throw new PortalError("portal_unavailable", "Портал не отвечает. Повторите позже.");
    if (!res.ok) throw new PortalError("portal_refused", `Портал отказал в действии (HTTP ${res.status}).`);
    if (res.status === 204) return {} as T;
    return (await res.json()) as T;
  }

  async findAccount(by: { phone?: string; snils?: string }) {
    const q = by.phone ? `phone=${encodeURIComponent(by.phone)}` : `snils=${encodeURIComponent(by.snils ?? "")}`;
    return this.call<PortalAccount>("GET", `/accounts?${q}`);
  }

  async applicationStatus(number: string) {
    const app = await this.call<PortalApplication>("GET", `/applications/${encodeURIComponent(number)}`);
    // A portal that does not name the owner: the status is read to nobody (null never equals an account's id).
    return app ? { ...app, accountId: typeof app.accountId === "string" ? app.accountId : null } : null;
  }

  private async mustExist<T>(p: Promise<T | null>): Promise<T> {
    const r = await p;
    if (r === null) throw new PortalError("account_not_found", "Учётная запись на портале не найдена.");
    return r;
  }

  async resendCode(accountId: string) {
    return this.mustExist(
      this.call<{ sentTo: string | null }>("POST", `/accounts/${encodeURIComponent(accountId)}/confirmation-code`),
    );
  }

  async unlockAccount(accountId: string) {
    return this.mustExist(
      this.call<{ wasLocked: boolean }>("POST", `/accounts/${encodeURIComponent(accountId)}/unlock`),
    );
  }

  async changePhone(accountId: string, phone: string) {
    await this.mustExist(this.call("PUT", `/accounts/${encodeURIComponent(accountId)}/phone`, { phone }));
  }
}
