// Where the short link of an SMS lands: it asks where the code leads and goes on to the request's tracking page.
import { useEffect } from "react";
import { $api, failureOf } from "../api/client.ts";
import { Link, navigate, useTitle } from "../router.tsx";

export function ShortLinkPage({ code }: { code: string }) {
  useTitle("Обращение — Служба поддержки");
  const link = $api.useQuery("get", "/api/v1/notifications/links/{code}", { params: { path: { code } } });
  const error = failureOf(link);
  const target = link.data?.trackingPath;
  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  if (!error) return <p className="loading">Открываем страницу обращения…</p>;
  return (
    <section className="narrow">
      <h1>Ссылка не открывается</h1>
      <p role="alert">
        {error.status === 404
          ? "Ссылка устарела или набрана с ошибкой. Проверьте её в СМС или откройте страницу обращения по ссылке из письма."
          : error.message}
      </p>
      <p>
        <Link to="/" className="button">
          На главную
        </Link>
      </p>
    </section>
  );
}
