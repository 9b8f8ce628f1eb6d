// The routes of the application: the public pages for applicants and the console for staff.
import { ConsoleApp } from "./console/ConsoleApp.tsx";
import { ContactsPage } from "./contacts/ContactsPage.tsx";
import { NewRequestPage } from "./public/NewRequestPage.tsx";
import { NotFoundPage, PublicLayout } from "./public/PublicLayout.tsx";
import { StartPage } from "./public/StartPage.tsx";
import { TrackPage } from "./public/TrackPage.tsx";
import { match, useLocation } from "./router.tsx";

export function App() {
  const { path } = useLocation();
  if (path === "/console" || path.startsWith("/console/")) return <ConsoleApp path={path} />;

  const track = match("/track/:token", path);
  let page: React.ReactNode;
  if (path === "/") page = <StartPage />;
  else if (path === "/new") page = <NewRequestPage />;
  else if (path === "/contacts") page = <ContactsPage />;
  else if (track) page = <TrackPage key={track.token} token={track.token!} />;
  else page = <NotFoundPage />;
  return <PublicLayout>{page}</PublicLayout>;
}
