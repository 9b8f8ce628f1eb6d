import { type FormEvent, useState } from "react";
import { $api, api, errorText, ok } from "../api/client.ts";
import { useTitle } from "../router.tsx";
import type { Me } from "./session.ts";

// What the single sign-on's return tells the page (`/console/login?sso_error=<code>`), in the server's words.
const SSO_ERRORS: Record<string, string> = {
  oidc_not_configured: "Единый вход не настроен: войдите по почте и паролю.",
  oidc_state_invalid:
    "Ответ службы единого входа не относится ко входу, начатому в этом браузере, или уже был использован. Начните вход заново.",
  oidc_flow_expired: "С начала входа прошло больше десяти минут. Начните вход заново.",
  oidc_provider_error:
    "Служба единого входа отказала во входе или ответила ошибкой. Попробуйте ещё раз или обратитесь к администратору.",
  oidc_provider_unavailable: "Служба единого входа не отвечает. Попробуйте войти позже.",
  oidc_token_invalid:
    "Ответ службы единого входа не прошёл проверку подписи или одноразового кода. Начните вход заново.",
  oidc_no_role: "В каталоге организации у вас нет роли для работы в Otklik. Обратитесь к администратору.",
  oidc_no_email:
    "Служба единого входа не сообщила адрес электронной почты, а без него учётную запись не создать. Обратитесь к администратору.",
  oidc_unknown_department:
    "В настройках единого входа названо подразделение, которого нет в Otklik. Обратитесь к администратору.",
  oidc_account_conflict:
    "Учётную запись с этим адресом нельзя связать с вашей: она уже связана с другим пользователем каталога или служба единого входа не подтвердила адрес. Обратитесь к администратору.",
  oidc_break_glass_account: "В учётную запись аварийного администратора входят только по паролю, не через единый вход.",
  account_disabled: "Ваша учётная запись в Otklik отключена администратором. Обратитесь к нему, чтобы её включили.",
  rate_limited: "Слишком много попыток входа. Подождите минуту и повторите.",
};

function ssoErrorFromAddress(): string | null {
  const code = new URLSearchParams(window.location.search).get("sso_error");
  if (!code) return null;
  return SSO_ERRORS[code] ?? "Войти через единый вход не удалось. Попробуйте ещё раз или обратитесь к администратору.";
}

export function LoginPage({ onLogin }: { onLogin: (me: Me) => Promise<void> }) {
  useTitle("Вход — Консоль поддержки");
  const methods = $api.useQuery("get", "/api/v1/auth/methods", {}, { staleTime: Number.POSITIVE_INFINITY });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(ssoErrorFromAddress);
  const [sending, setSending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError("Введите почту и пароль.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      const me = await ok(api.POST("/api/v1/auth/login", { body: { email: email.trim(), password } }));
      await onLogin(me);
    } catch (err) {
      setError(errorText(err));
      setSending(false);
    }
  };

  const sso = methods.data?.sso ? methods.data.ssoStartUrl : null;
  const breakGlassOnly = methods.data?.password === "break_glass";
  const passwordFields = (
    <>
      <div className="field">
        <label htmlFor="login-email">Электронная почта</label>
        <input
          id="login-email"
          type="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="login-password">Пароль</label>
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <button type="submit" className={`button button--block${sso ? " button--secondary" : ""}`} disabled={sending}>
        {sending ? "Входим…" : sso ? "Войти по паролю" : "Войти"}
      </button>
    </>
  );

  return (
    <main id="main" className="login">
      <form className="login__card" onSubmit={submit} noValidate>
        <h1>Вход в консоль поддержки</h1>
        <p className="muted">Для сотрудников службы поддержки.</p>
        {error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
        {sso && (
          <>
            <a className="button button--block" href={sso}>
              Войти через единый вход
            </a>
            {!breakGlassOnly && <p className="muted login__or">или по почте и паролю</p>}
          </>
        )}
        {breakGlassOnly ? (
          <details className="login__password">
            <summary>Вход по паролю для аварийного администратора</summary>
            {passwordFields}
          </details>
        ) : (
          passwordFields
        )}
        <p className="login__back">
          <a href="/">Служба поддержки для граждан</a>
        </p>
      </form>
    </main>
  );
}
