// The page of a one-time link (an invitation or a password reset): the employee sets a password and goes to sign in.
// The token comes in the address's fragment, which the browser never sends to a server, and leaves it at once.
import { type FormEvent, useEffect, useState } from "react";
import { $api, api, errorText, ok } from "../api/client.ts";
import { navigate, useTitle } from "../router.tsx";

// Rendering has no side effects: React may render the page more than once before it shows (the lazy import settles,
// a render is retried), and a render that had already cleared the fragment would find no token. The fragment is cleared
// once the page is on screen.
function readToken(): string {
  return window.location.hash.slice(1);
}

export function PasswordLinkPage() {
  useTitle("Пароль — Консоль поддержки");
  const [token] = useState(readToken);
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
  const who = $api.useQuery(
    "get",
    "/api/v1/auth/password-link/{token}",
    { params: { path: { token } } },
    { enabled: token.length >= 20, retry: false },
  );
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [sending, setSending] = useState(false);
  useEffect(() => {
    if (done) {
      const t = window.setTimeout(() => navigate("/console/login", { replace: true }), 3000);
      return () => window.clearTimeout(t);
    }
  }, [done]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) {
      setError("Пароли не совпадают: введите один и тот же пароль дважды.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await ok(api.POST("/api/v1/auth/password-link", { body: { token, password } }));
      setDone(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  const broken = token.length < 20 || who.isError;
  return (
    <main id="main" className="login">
      <form className="login__card" onSubmit={submit}>
        <h1>{who.data?.purpose === "reset" ? "Новый пароль" : "Пароль для входа"}</h1>
        {broken ? (
          <p className="alert alert--error" role="alert">
            Ссылка недействительна: она уже использована, устарела или заменена новой. Попросите администратора прислать
            новую.
          </p>
        ) : done ? (
          <p className="alert" role="status">
            Пароль сохранён. Сейчас откроется страница входа.
          </p>
        ) : who.data ? (
          <>
            <p className="muted">
              {who.data.name}, {who.data.email}. Пароль — не короче 10 символов, с буквами и цифрами.
            </p>
            {error && (
              <p className="alert alert--error" role="alert">
                {error}
              </p>
            )}
            <input type="email" autoComplete="username" value={who.data.email} readOnly hidden />
            <div className="field">
              <label htmlFor="link-password">Пароль</label>
              <input
                id="link-password"
                type="password"
                autoComplete="new-password"
                required
                minLength={10}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="link-again">Пароль ещё раз</label>
              <input
                id="link-again"
                type="password"
                autoComplete="new-password"
                required
                value={again}
                onChange={(e) => setAgain(e.target.value)}
              />
            </div>
            <button type="submit" className="button button--block" disabled={sending}>
              {sending ? "Сохраняем…" : "Сохранить пароль"}
            </button>
          </>
        ) : (
          <p className="loading">Загрузка…</p>
        )}
        <p className="login__back">
          <a href="/console/login">Страница входа</a>
        </p>
      </form>
    </main>
  );
}
