// The staff console: signs in, loads the lists every page needs, and picks the page.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { AdminDirectoryPage } from "../admin-directory/AdminDirectoryPage.tsx";
import { $api, api, failureOf, ok, setCsrfToken, setUnauthorizedHandler } from "../api/client.ts";
import { ChatInbox } from "../chat/ChatInbox.tsx";
import { KbEditorPage } from "../kb/KbEditorPage.tsx";
import { ROLE_TITLES } from "../labels.ts";
import { CallScreenPage } from "../phone/CallScreenPage.tsx";
import { ScreenPop } from "../phone/ScreenPop.tsx";
import { WallboardPage } from "../phone/WallboardPage.tsx";
import { Link, match, navigate } from "../router.tsx";
import { DepartmentsPage } from "./DepartmentsPage.tsx";
import { IncidentsPage } from "./IncidentsPage.tsx";
import { KeyboardHelp } from "./keyboard.tsx";
import { LoginPage } from "./LoginPage.tsx";
import { QueuePage } from "./QueuePage.tsx";
import { RequestPage } from "./RequestPage.tsx";
import { ShiftAndBell } from "./ShiftAndBell.tsx";
import { SlaPoliciesPage } from "./SlaPoliciesPage.tsx";
import { StaffPage } from "./StaffPage.tsx";
import { ConsoleContext, type ConsoleData, type Me } from "./session.ts";
import { TokensPage } from "./TokensPage.tsx";
import { WebhooksPage } from "./WebhooksPage.tsx";

// The employees, departments and categories change rarely; a page that needs them fresh reads them again.
const LISTS_STALE = 5 * 60_000;

// Statistics carry ECharts: their own chunk, loaded when the page is opened.
const AnalyticsPage = lazy(() => import("../analytics/AnalyticsPage.tsx").then((m) => ({ default: m.AnalyticsPage })));

const ME_KEY = ["session", "me"] as const;

export function ConsoleApp({ path }: { path: string }) {
  const queries = useQueryClient();
  // Signed out (a 401 anywhere, or «Выйти»): nothing read for the last employee stays in the cache.
  const [signedOut, setSignedOut] = useState(false);
  const me = useQuery({
    queryKey: ME_KEY,
    queryFn: async ({ signal }) => {
      const m = await ok(api.GET("/api/v1/auth/me", { signal }));
      setCsrfToken(m.csrfToken);
      return m;
    },
    enabled: !signedOut,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const signedIn = Boolean(me.data) && !signedOut;
  const lists = $api.useQuery("get", "/api/v1/categories", {}, { enabled: signedIn, staleTime: LISTS_STALE });
  const departments = $api.useQuery("get", "/api/v1/departments", {}, { enabled: signedIn, staleTime: LISTS_STALE });
  const staff = $api.useQuery("get", "/api/v1/staff", {}, { enabled: signedIn, staleTime: LISTS_STALE });

  const leave = useCallback(() => {
    setCsrfToken(null);
    setSignedOut(true);
    queries.clear();
  }, [queries]);

  const logout = useCallback(async () => {
    try {
      await api.POST("/api/v1/auth/logout");
    } finally {
      leave();
      navigate("/console/login", { replace: true });
    }
  }, [leave]);

  const enter = useCallback(
    async (m: Me) => {
      setCsrfToken(m.csrfToken);
      queries.setQueryData(ME_KEY, m);
      setSignedOut(false);
    },
    [queries],
  );

  useEffect(() => {
    setUnauthorizedHandler(leave);
    return () => setUnauthorizedHandler(null);
  }, [leave]);

  const data = useMemo<ConsoleData | null>(
    () =>
      signedIn && me.data && lists.data && departments.data && staff.data
        ? { user: me.data.user, ...lists.data, departments: departments.data, staff: staff.data, logout }
        : null,
    [signedIn, me.data, lists.data, departments.data, staff.data, logout],
  );
  const failure = failureOf(me) ?? failureOf(lists) ?? failureOf(departments) ?? failureOf(staff);
  const state: "checking" | "anonymous" | "ready" | "error" =
    signedOut || failure?.status === 401 ? "anonymous" : failure ? "error" : data ? "ready" : "checking";
  const error = failure?.message ?? null;

  useEffect(() => {
    if (state === "anonymous" && path !== "/console/login") {
      navigate(`/console/login?next=${encodeURIComponent(path + window.location.search)}`, { replace: true });
    }
    if (state === "ready" && path === "/console/login") {
      const next = new URLSearchParams(window.location.search).get("next");
      navigate(next?.startsWith("/console") ? next : "/console", { replace: true });
    }
  }, [state, path]);

  if (state === "checking") return <p className="loading">Загрузка…</p>;
  if (state === "error") return <p className="alert alert--error">{error}</p>;
  if (state === "anonymous" || !data) return <LoginPage onLogin={enter} />;

  const one = match("/console/requests/:number", path);
  const overseer = data.user.role === "supervisor" || data.user.role === "administrator";
  const admin = data.user.role === "administrator";
  const current = (to: string) => (path === to ? ("page" as const) : undefined);
  // The settings: one menu, so the header keeps to one line at 1366 pixels whatever the role.
  const settings = [
    admin && { to: "/console/admin/directory", title: "Справочник линий" },
    overseer && { to: "/console/sla", title: "Сроки ответа" },
    overseer && { to: "/console/admin/departments", title: "Подразделения и часы" },
    overseer && { to: "/console/admin/staff", title: "Сотрудники" },
    admin && { to: "/console/admin/webhooks", title: "Вебхуки" },
    { to: "/console/tokens", title: "Токены API" },
  ].filter((x): x is { to: string; title: string } => Boolean(x));
  let page: React.ReactNode;
  if (path === "/console" || path === "/console/") page = <QueuePage />;
  else if (one) page = <RequestPage key={one.number} number={one.number!} />;
  else if (path === "/console/admin/directory") page = <AdminDirectoryPage />;
  else if (path === "/console/incidents") page = <IncidentsPage />;
  else if (path === "/console/chat") page = <ChatInbox />;
  else if (path === "/console/sla") page = <SlaPoliciesPage />;
  else if (path === "/console/kb") page = <KbEditorPage />;
  else if (path === "/console/tokens") page = <TokensPage />;
  else if (path === "/console/admin/staff" && overseer) page = <StaffPage />;
  else if (path === "/console/admin/departments" && overseer) page = <DepartmentsPage />;
  else if (path === "/console/admin/webhooks" && data.user.role === "administrator") page = <WebhooksPage />;
  else if (match("/console/calls/:id", path)) {
    const id = Number(match("/console/calls/:id", path)!.id);
    page = <CallScreenPage key={id} id={id} />;
  } else if (path === "/console/wallboard") page = <WallboardPage />;
  else if (path === "/console/analytics")
    page = (
      <Suspense fallback={<p className="loading">Загрузка…</p>}>
        <AnalyticsPage />
      </Suspense>
    );
  else page = <p>Такой страницы в консоли нет.</p>;

  return (
    <ConsoleContext.Provider value={data}>
      <a className="skip-link" href="#main">
        Перейти к содержанию
      </a>
      <header className="console-header">
        <div className="console-header__inner">
          <Link to="/console" className="brand brand--console">
            <span className="brand__mark" aria-hidden="true">
              О
            </span>
            <span>Консоль поддержки</span>
          </Link>
          <nav aria-label="Консоль" className="console-nav">
            <Link to="/console" aria-current={path === "/console" || path === "/console/" ? "page" : undefined}>
              Очередь
            </Link>
            <Link to="/console/chat" aria-current={current("/console/chat")}>
              Чаты
            </Link>
            <Link to="/console/kb" aria-current={current("/console/kb")}>
              База знаний
            </Link>
            <Link to="/console/incidents" aria-current={current("/console/incidents")}>
              Сбои
            </Link>
            <Link to="/console/analytics" aria-current={current("/console/analytics")}>
              Статистика
            </Link>
            {overseer && (
              <Link to="/console/wallboard" aria-current={current("/console/wallboard")}>
                Табло
              </Link>
            )}
            <details className="console-menu" key={path}>
              <summary aria-current={settings.some((x) => x.to === path) ? "true" : undefined}>Настройки</summary>
              <ul className="console-menu__list">
                {settings.map((x) => (
                  <li key={x.to}>
                    <Link to={x.to} aria-current={current(x.to)}>
                      {x.title}
                    </Link>
                  </li>
                ))}
              </ul>
            </details>
          </nav>
          <ShiftAndBell />
          <div className="console-user">
            <span title={`${data.user.name} · ${ROLE_TITLES[data.user.role] ?? data.user.role}`}>
              {data.user.name} <span className="muted">· {ROLE_TITLES[data.user.role] ?? data.user.role}</span>
            </span>
            <button type="button" className="button button--small button--ghost" onClick={() => void logout()}>
              Выйти
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="console-main" tabIndex={-1}>
        {page}
      </main>
      <ScreenPop />
      <KeyboardHelp />
    </ConsoleContext.Provider>
  );
}
