// A compact choice of answer templates beside a reply box (the chat inbox): the one picked is filled in for the
// request on the server — name, number, deadlines — and handed to the box to edit before sending.
import { $api, api, ok } from "../api/client.ts";
import { PickAndRun } from "../controls/PickAndRun.tsx";
import "./kb.css";

export function TemplatePicker({
  number,
  category,
  onInsert,
}: {
  number: string;
  category: string | null;
  onInsert: (text: string, title: string) => void;
}) {
  const list = $api.useQuery("get", "/api/v1/kb/templates");
  // The request's own category first, then the general ones; the rest after them.
  const templates = [...(list.data ?? [])].sort(
    (a, b) => rank(a.category, category) - rank(b.category, category) || a.title.localeCompare(b.title, "ru"),
  );
  return (
    <PickAndRun
      label="Шаблон ответа"
      action="Вставить шаблон"
      items={templates}
      run={async (t) => {
        const r = await ok(
          api.POST("/api/v1/requests/{number}/render-template", {
            params: { path: { number } },
            body: { templateId: t.id },
          }),
        );
        onInsert(r.text, t.title);
      }}
    />
  );
}

const rank = (c: string | null, category: string | null) => (c !== null && c === category ? 0 : c === null ? 1 : 2);
