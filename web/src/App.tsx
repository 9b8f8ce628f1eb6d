// The routes of the application: the public pages for applicants and the console for staff.
import { lazy, Suspense } from "react";
import { ContactsPage } from "./contacts/ContactsPage.tsx";
import { HelpArticlePage, HelpCategoryPage, HelpHomePage } from "./help/HelpPages.tsx";
import { NewRequestPage } from "./public/NewRequestPage.tsx";
import { NotFoundPage, PublicLayout } from "./public/PublicLayout.tsx";
import { ShortLinkPage } from "./public/ShortLinkPage.tsx";
import { StartPage } from "./public/StartPage.tsx";
import { TrackPage } from "./public/TrackPage.tsx";
import { UnsubscribePage } from "./public/UnsubscribePage.tsx";
import { match, useLocation } from "./router.tsx";

// The console is for staff: applicants on a phone do not download it.
const ConsoleApp = lazy(() => import("./console/ConsoleApp.tsx").then((m) => ({ default: m.ConsoleApp })));
// A one-time link's page is opened before its owner can sign in: it stands outside the signed-in console.
const PasswordLinkPage = lazy(() =>
  import("./console/PasswordLinkPage.tsx").then((m) => ({ default: m.PasswordLinkPage })),
);

export function App() {
  const { path } = useLocation();
  if (path === "/console/password") {
    return (
      <Suspense fallback={<p className="loading">Загрузка…</p>}>
        <PasswordLinkPage />
      </Suspense>
    );
  }
  if (path === "/console" || path.startsWith("/console/")) {
    return (
      <Suspense fallback={<p className="loading">Загрузка…</p>}>
        <ConsoleApp path={path} />
      </Suspense>
    );
  }

  const track = match("/track/:token", path);
  let page: React.ReactNode;
  if (path === "/") page = <StartPage />;
  else if (path === "/new") page = <NewRequestPage />;
  else if (path === "/contacts") page = <ContactsPage />;
  else if (path === "/help" || path === "/help/") page = <HelpHomePage />;
  else if (match("/help/category/:code", path))
    page = <HelpCategoryPage key={path} code={match("/help/category/:code", path)!.code!} />;
  else if (match("/help/:slug", path)) page = <HelpArticlePage key={path} slug={match("/help/:slug", path)!.slug!} />;
  else if (track) page = <TrackPage key={track.token} token={track.token!} />;
  else if (match("/s/:code", path)) page = <ShortLinkPage key={path} code={match("/s/:code", path)!.code!} />;
  else if (match("/unsubscribe/:token", path))
    page = <UnsubscribePage key={path} token={match("/unsubscribe/:token", path)!.token!} />;
  else page = <NotFoundPage />;
  return <PublicLayout>{page}</PublicLayout>;
}
