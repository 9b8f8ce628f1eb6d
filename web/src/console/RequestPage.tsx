// One request for staff: the conversation with notes and the reply box, and beside it the actions, the knowledge
// base, the SLA, the contact card, the facts, the letters and the history. Read again when the request changes.
import { useEffect, useRef, useState } from "react";
import { $api, errorText, failureOf } from "../api/client.ts";
import { type Bubble, Conversation } from "../Conversation.tsx";
import { displayRequestNumber, dueRelative, formatShort, MOSCOW_LABEL } from "../format.ts";
import { KbPanel } from "../kb/KbPanel.tsx";
import { CHANNEL_TITLES, STATUS_TITLES, titleOf } from "../labels.ts";
import { type LiveEvent, useCoalesced, useConsoleFeed, useNow } from "../live.ts";
import { Link, navigate, useTitle } from "../router.tsx";
import { ContactCard } from "./ContactCard.tsx";
import { EmailPanel } from "./EmailPanel.tsx";
import { EscalateDialog } from "./EscalateDialog.tsx";
import { useRequestShortcuts } from "./keyboard.tsx";
import { currentDue } from "./QueuePage.tsx";
import { RelatedPanel } from "./RelatedPanel.tsx";
import { ReplyBox } from "./ReplyBox.tsx";
import { RequestActions } from "./RequestActions.tsx";
import { ApplicantRequests, RequestFacts, RequestHistory } from "./RequestFacts.tsx";
import { type Detail, useRefreshRequest } from "./requestQueries.ts";
import { SlaPanel } from "./SlaPanel.tsx";
import { useConsole } from "./session.ts";

export function RequestPage({ number }: { number: string }) {
  const { audiences, departments } = useConsole();
  const request = $api.useQuery("get", "/api/v1/requests/{number}", { params: { path: { number } } });
  const r = request.data as Detail | undefined;
  const loadError = failureOf(request);
  const refresh = useRefreshRequest(number);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState(() => {
    const from = new URLSearchParams(window.location.search).get("from");
    return from ? `Обращение № ${displayRequestNumber(from)} объединено с этим: его номер ведёт сюда.` : "";
  });
  const [busy, setBusy] = useState(false);
  const [escalating, setEscalating] = useState(false);
  const now = useNow();
  useTitle(`Обращение ${number} — Консоль поддержки`);
  useRequestShortcuts(number);

  // A merged duplicate's number leads to the request it was merged into: the address follows.
  useEffect(() => {
    if (r && r.number !== number) navigate(`/console/requests/${r.number}?from=${number}`, { replace: true });
  }, [r, number]);

  // Someone else's change arriving live is announced, so a screen reader user hears it too.
  const seen = useRef<number | null>(null);
  useEffect(() => {
    if (!r) return;
    if (seen.current !== null && r.messages.length > seen.current && r.messages.at(-1)?.authorType === "applicant") {
      setNotice("Новое сообщение от заявителя.");
    }
    seen.current = r.messages.length;
  }, [r]);

  const reload = useCoalesced(() => void refresh(), 500);
  useConsoleFeed("requests", (e?: LiveEvent) => {
    if (!e?.number || e.number === number) reload();
  });

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setActionError(null);
    try {
      await what();
      setNotice(done);
      await refresh();
      return true;
    } catch (err) {
      setActionError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (loadError && !r) {
    return (
      <div className="request-page">
        <p>
          <Link to="/console">← К очереди</Link>
        </p>
        <h1>Обращение {number}</h1>
        <p className="alert alert--error">{loadError.message}</p>
      </div>
    );
  }
  if (!r) return <p className="loading">Загружаем обращение…</p>;
  if (loadError?.status === 404) {
    // Escalated to another department or reassigned: the request has left this employee's scope.
    return (
      <div className="request-page">
        <h1>Обращение {displayRequestNumber(r.number)}</h1>
        <p className="alert" role="status">
          Обращение передано и больше не входит в вашу очередь. Его ведёт другое подразделение или сотрудник.
        </p>
        <p>
          <Link to="/console" className="button">
            К очереди
          </Link>
        </p>
      </div>
    );
  }

  const due = currentDue(r);
  const rel = due ? dueRelative(due, now) : null;

  return (
    <div className="request-page">
      <p className="breadcrumbs">
        <Link to="/console">← К очереди</Link>
      </p>
      <div className="request-page__head">
        <h1>
          Обращение <span className="nowrap">{displayRequestNumber(r.number)}</span>
        </h1>
        <span className={`badge badge--${r.status}`} data-status={r.status}>
          {STATUS_TITLES[r.status] ?? r.status}
        </span>
        {rel && due && (
          <span className={rel.overdue ? "overdue" : "muted"}>
            Срок: <time dateTime={due}>{formatShort(due)}</time> {MOSCOW_LABEL} ({rel.text})
          </span>
        )}
      </div>
      <p className="request-page__subject">{r.subject}</p>
      <p className={notice ? "notice" : "visually-hidden"} role="status">
        {notice}
      </p>

      <div className="request-layout">
        <section className="request-layout__main" aria-labelledby="thread-title">
          <h2 id="thread-title">Переписка</h2>
          <Conversation
            label="Переписка и заметки"
            items={bubbles(r)}
            attachmentHref={(a) => `/api/v1/requests/${r.number}/attachments/${a.id}`}
          />
          {r.status === "closed" ? (
            <p className="muted">Обращение закрыто: ответить в нём нельзя.</p>
          ) : (
            <ReplyBox number={r.number} onSent={refresh} setNotice={setNotice} />
          )}
        </section>

        <aside className="request-layout__side" aria-label="Действия и сведения">
          {actionError && (
            <p className="alert alert--error" role="alert">
              {actionError}
            </p>
          )}
          <RequestActions r={r} busy={busy} act={act} onEscalate={() => setEscalating(true)} />
          <KbPanel
            number={r.number}
            query={r.subject || (r.messages[0]?.body ?? "").slice(0, 300)}
            category={r.category}
          />
          <SlaPanel number={r.number} status={r.status} department={r.department} onChanged={() => void refresh()} />
          <ContactCard
            number={r.number}
            contact={r.contact}
            extra={
              <>
                <dt>Тип</dt>
                <dd>{titleOf(audiences, r.audience)}</dd>
                <dt>Регион</dt>
                <dd>{r.region ?? "не указан"}</dd>
              </>
            }
          />
          <RequestFacts r={r} />
          <RelatedPanel r={r} busy={busy} act={act} />
          <ApplicantRequests items={r.applicantRequests ?? []} titleId="applicant-requests-title" />
          {r.channel === "email" && <EmailPanel number={r.number} />}
          <RequestHistory r={r} />
        </aside>
      </div>

      <EscalateDialog
        number={r.number}
        current={r.department}
        departments={departments}
        open={escalating}
        onClose={() => setEscalating(false)}
        onDone={() => {
          setEscalating(false);
          setNotice("Обращение передано в подразделение.");
          void refresh();
        }}
      />
    </div>
  );
}

/** The conversation's messages as bubbles: the applicant's with their channel, staff's with their name. */
function bubbles(r: Detail): Bubble[] {
  return r.messages.map((m) => ({
    id: m.id,
    kind: m.visibility === "note" ? "note" : m.authorType === "applicant" ? "applicant" : "support",
    author:
      m.authorType === "applicant"
        ? `${r.contact.name ?? "Заявитель"}${m.channel ? ` · ${CHANNEL_TITLES[m.channel] ?? m.channel}` : ""}`
        : (m.authorName ?? "Система"),
    body: m.body,
    createdAt: m.createdAt,
    attachments: m.attachments,
  }));
}
