import { type FormEvent, useState } from "react";
import { api, errorText, ok } from "../api/client.ts";
import { useTitle } from "../router.tsx";
import type { Me } from "./session.ts";

export function LoginPage({ onLogin }: { onLogin: (me: Me) => Promise<void> }) {
  useTitle("Вход — Консоль поддержки");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
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
        <button type="submit" className="button button--block" disabled={sending}>
          {sending ? "Входим…" : "Войти"}
        </button>
        <p className="login__back">
          <a href="/">Служба поддержки для граждан</a>
        </p>
      </form>
    </main>
  );
}
