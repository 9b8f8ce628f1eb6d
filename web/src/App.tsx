// The routes of the application: the public pages for applicants and the console for staff.
import { ConsoleApp } from "./console/ConsoleApp.tsx";
import { NewRequestPage } from "./public/NewRequestPage.tsx";
import { NotFoundPage, PublicLayout } from "./public/PublicLayout.tsx";
import { StartPage } from "./public/StartPage.tsx";
import { TrackPage } from "./public/TrackPage.tsx";
import { match, useLocation } from "./router.tsx";

export function App() {
  const { path } = useLocation();
  if (path === "/console" || path.startsWith("/console/")) return <ConsoleApp path={path} />;

  let page: React.ReactNode;
  let params: Record<string, string> | null;
  if (path === "/") page = <StartPage />;
  else if (path === "/new") page = <NewRequestPage />;
  else if ((params = match("/track/:token", path))) page = <TrackPage key={params.token} token={params.token!} />;
  else page = <NotFoundPage />;
  return <PublicLayout>{page}</PublicLayout>;
}
