// The routes of the application: the public pages for applicants and the console for staff.
import { lazy, Suspense } from "react";
import { ContactsPage } from "./contacts/ContactsPage.tsx";
import { HelpArticlePage, HelpCategoryPage, HelpHomePage } from "./help/HelpPages.tsx";
import { NewRequestPage } from "./public/NewRequestPage.tsx";
import { NotFoundPage, PublicLayout } from "./public/PublicLayout.tsx";
import { StartPage } from "./public/StartPage.tsx";
import { TrackPage } from "./public/TrackPage.tsx";
import { match, useLocation } from "./router.tsx";

// The console is for staff: applicants on a phone do not download it.
const ConsoleApp = lazy(() => import("./console/ConsoleApp.tsx").then((m) => ({ default: m.ConsoleApp })));

export function App() {
  const { path } = useLocation();
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
  else page = <NotFoundPage />;
  return <PublicLayout>{page}</PublicLayout>;
}
