// Beside a chat: the applicant's contacts (masked until revealed), earlier requests, and knowledge-base answers
// whose links go into the reply.
import { displayRequestNumber } from "../format.ts";
import { STATUS_TITLES } from "../labels.ts";
import { Link } from "../router.tsx";
import { ChatContact } from "./ChatContact.tsx";
import type { ConversationDetail } from "./inboxTypes.ts";

export function ChatSide({
  id,
  detail,
  onInsert,
}: {
  id: number;
  detail: ConversationDetail | null;
  onInsert: (line: string) => void;
}) {
  return (
    <aside className="chat-inbox__side" aria-label="О заявителе">
      {detail && (
        <>
          <ChatContact id={id} contact={detail.contact} />
          <h2>Прежние обращения</h2>
          {detail.previous.length === 0 ? (
            <p className="muted">Других обращений нет.</p>
          ) : (
            <ul>
              {detail.previous.map((p) => (
                <li key={p.number}>
                  <Link to={`/console/requests/${p.number}`}>№ {displayRequestNumber(p.number)}</Link> ·{" "}
                  {STATUS_TITLES[p.status] ?? p.status}
                  <br />
                  <span className="muted">{p.subject}</span>
                </li>
              ))}
            </ul>
          )}
          <h2>Ответы из базы знаний</h2>
          <ul>
            {detail.answers.map((a) => (
              <li key={a.slug}>
                <strong>{a.title}</strong>
                <button
                  type="button"
                  className="button button--link"
                  onClick={() => onInsert(`${a.title}: ${window.location.origin}/help/${a.slug}`)}
                >
                  Вставить ссылку
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
