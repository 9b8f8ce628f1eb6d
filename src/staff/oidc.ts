// Staff single sign-on through the organisation's OpenID Connect provider: the authorisation code flow with PKCE,
// state and nonce (openid-client does the protocol and verifies the ID token against the provider's JWKS). Knows
// nothing of HTTP: the routes hand it the callback's URL and the browser's flow cookie.
import { eq, lt } from "drizzle-orm";
import * as client from "openid-client";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../http/errors.ts";
import { randomToken, sha256 } from "../security/tokens.ts";
import { signInFromDirectory } from "./oidc-accounts.ts";
import { claimValues, mapRole } from "./oidc-roles.ts";
import { oidcFlows } from "./schema.ts";
import type { StaffUser } from "./service.ts";

export const OIDC_CALLBACK_PATH = "/api/v1/auth/oidc/callback";
export const FLOW_TTL_MS = 10 * 60 * 1000;

export const oidcErrors = {
  notConfigured: () => new AppError("oidc_not_configured", "Единый вход не настроен: войдите по почте и паролю.", 404),
  stateInvalid: () =>
    new AppError(
      "oidc_state_invalid",
      "Ответ службы единого входа не относится ко входу, начатому в этом браузере, или уже был использован. Начните вход заново.",
      400,
    ),
  expired: () =>
    new AppError("oidc_flow_expired", "С начала входа прошло больше десяти минут. Начните вход заново.", 400),
  provider: (error?: string) =>
    new AppError(
      "oidc_provider_error",
      "Служба единого входа отказала во входе или ответила ошибкой. Попробуйте ещё раз или обратитесь к администратору.",
      502,
      error ? { providerError: error } : undefined,
    ),
  unavailable: () =>
    new AppError("oidc_provider_unavailable", "Служба единого входа не отвечает. Попробуйте войти позже.", 503),
  tokenInvalid: () =>
    new AppError(
      "oidc_token_invalid",
      "Ответ службы единого входа не прошёл проверку подписи или одноразового кода. Начните вход заново.",
      401,
    ),
};

/** The provider's configuration, discovered once per process; a failed discovery is tried again next time. */
export class OidcClient {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly config: Config) {}

  get enabled(): boolean {
    return Boolean(this.config.oidcIssuer && this.config.oidcClientId);
  }

  get redirectUri(): string {
    return new URL(OIDC_CALLBACK_PATH, this.config.publicUrl).href;
  }

  private configuration(): Promise<client.Configuration> {
    const { oidcIssuer, oidcClientId, oidcClientSecret } = this.config;
    if (!oidcIssuer || !oidcClientId) throw oidcErrors.notConfigured();
    this.discovered ??= (async () => {
      const issuer = new URL(oidcIssuer);
      const auth = oidcClientSecret ? client.ClientSecretPost(oidcClientSecret) : client.None();
      const insecure = issuer.protocol === "http:" ? [client.allowInsecureRequests] : [];
      const configuration = await client.discovery(issuer, oidcClientId, undefined, auth, {
        execute: insecure,
        timeout: 10,
      });
      // The ID token's signature is checked against the provider's JWKS; a key id not yet seen fetches the set again
      // (at most once a minute, so forged key ids cannot make us hammer the provider).
      client.enableNonRepudiationChecks(configuration);
      return configuration;
    })();
    this.discovered.catch(() => {
      this.discovered = undefined;
    });
    return this.discovered.catch((e) => {
      throw providerFailure(e);
    });
  }

  /** Begins a sign-in: the provider's address to send the browser to, and the cookie value that binds it. */
  async start(db: Db, now = new Date()): Promise<{ url: string; browser: string }> {
    const configuration = await this.configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const browser = randomToken();
    await db.delete(oidcFlows).where(lt(oidcFlows.expiresAt, now));
    await db.insert(oidcFlows).values({
      stateHash: sha256(state),
      browserHash: sha256(browser),
      nonce,
      codeVerifier,
      expiresAt: new Date(now.getTime() + FLOW_TTL_MS),
    });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.oidcScopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
    });
    return { url: url.href, browser };
  }

  /**
   * Finishes a sign-in from the provider's redirect: the flow is taken once (a replayed or foreign state is
   * refused), the code is exchanged with the PKCE verifier, the ID token's signature, audience and nonce are checked,
   * and the employee is created or updated from the claims.
   */
  async finish(db: Db, query: string, browser: string | undefined, now = new Date()): Promise<StaffUser> {
    const configuration = await this.configuration();
    const params = new URLSearchParams(query);
    const state = params.get("state");
    if (!state) {
      if (params.get("error")) throw oidcErrors.provider(params.get("error") ?? undefined);
      throw oidcErrors.stateInvalid();
    }
    const [flow] = await db
      .delete(oidcFlows)
      .where(eq(oidcFlows.stateHash, sha256(state)))
      .returning();
    if (!flow || !browser || flow.browserHash !== sha256(browser)) throw oidcErrors.stateInvalid();
    if (flow.expiresAt.getTime() <= now.getTime()) throw oidcErrors.expired();

    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = params.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw providerFailure(e);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw oidcErrors.tokenInvalid();
    let claims: Record<string, unknown> = idClaims;
    // Some providers put the roles or the e-mail in the user info only; the ID token's own claims win.
    const missing = claimValues(idClaims, this.config.oidcRoleClaim).length === 0 || !idClaims.email;
    if (missing && configuration.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      } catch (e) {
        throw providerFailure(e);
      }
    }
    const email = stringClaim(claims.email) ?? emailLike(stringClaim(claims.preferred_username));
    const name =
      stringClaim(claims.name) ??
      ([stringClaim(claims.given_name), stringClaim(claims.family_name)].filter(Boolean).join(" ") || undefined);
    return signInFromDirectory(db, {
      issuer: configuration.serverMetadata().issuer,
      subject: idClaims.sub,
      email,
      emailVerified: typeof claims.email_verified === "boolean" ? claims.email_verified : undefined,
      name,
      access: mapRole(claimValues(claims, this.config.oidcRoleClaim), this.config.oidcRoleMap),
      breakGlassEmail: this.config.breakGlassEmail,
    });
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function emailLike(value: string | undefined): string | undefined {
  return value && /^[^\s@]+@[^\s@]+$/.test(value) ? value : undefined;
}

/** The provider's failures in three kinds: it said no, it did not answer, or its answer did not verify. */
function providerFailure(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof client.AuthorizationResponseError || e instanceof client.ResponseBodyError) {
    return oidcErrors.provider(e.error);
  }
  if (e instanceof client.WWWAuthenticateChallengeError) return oidcErrors.provider();
  if (e instanceof client.ClientError) {
    const code = e.code ?? "";
    if (["OAUTH_TIMEOUT", "OAUTH_ABORT"].includes(code)) return oidcErrors.unavailable();
    if (["OAUTH_RESPONSE_IS_NOT_CONFORM", "OAUTH_RESPONSE_IS_NOT_JSON"].includes(code)) return oidcErrors.provider();
    return oidcErrors.tokenInvalid();
  }
  // fetch() fails with a TypeError when the provider cannot be reached.
  return oidcErrors.unavailable();
}
