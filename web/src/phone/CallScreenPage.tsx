// The operator's call screen: who is calling, the line and topic, the checklist to verify the caller (the operator
// types the caller's answers; the server compares them with the portal account and says which held), and the
// portal actions on that one account, open only after the verification passed.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { displayPhone, displayRequestNumber, formatShort } from "../format.ts";
import { CHANNEL_TITLES, STATUS_TITLES } from "../labels.ts";
import { type LiveEvent, useConsoleFeed } from "../live.ts";
import { Link, useTitle } from "../router.tsx";
import { Checklist } from "./Checklist.tsx";
import { PortalActions } from "./PortalActions.tsx";
import { CALL_STATES, type CallScreen, callerTitle, type PhoneEvent, type PortalAccount } from "./types.ts";
import "./phone.css";

export function CallScreenPage({ id }: { id: number }) {
  useTitle(`Звонок № ${id} — Консоль поддержки`);
  const { categories } = useConsole();
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/phone/calls/{id}/screen", { params: { path: { id } } });
  const screen = (read.data as CallScreen | undefined) ?? null;
  const error = failureOf(read)?.message ?? null;
  const [audience, setAudience] = useState<string | null>(null);
  // The account the last verification held against (the call screen itself keeps only its id).
  const [account, setAccount] = useState<PortalAccount | null>(null);

  const load = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/phone/calls/{id}/screen"] });
  useConsoleFeed("phone", (raw?: LiveEvent) => {
    const e = raw as unknown as PhoneEvent | undefined;
    if (e?.callId === id) void load();
  });

  if (error) return <p className="alert alert--error">{error}</p>;
  if (!screen) return <p className="loading">Загрузка…</p>;
  const topic = categories.find((c) => c.code === screen.topic)?.title;
  const verified = screen.verification?.passed === true && screen.verification.accountId !== null;

  return (
    <div>
      <h1>
        {callerTitle(screen.caller)}
        {screen.caller.phone && <span className="muted"> {displayPhone(screen.caller.phone)}</span>}
      </h1>
      <p className="muted">
        {screen.line ? `${screen.line.title}, ${screen.line.number}` : "Линия не определена"}
        {topic ? ` · тема: ${topic}` : ""} · {CALL_STATES[screen.call.state]} · начат{" "}
        {formatShort(screen.call.startedAt)}
      </p>
      {screen.call.continued && screen.request && (
        <p className="call-screen__continue" role="status">
          Заявитель перезвонил после обрыва связи.{" "}
          <Link to={`/console/requests/${screen.request.number}`}>
            Продолжить обращение № {displayRequestNumber(screen.request.number)}
          </Link>
        </p>
      )}
      <div className="call-screen">
        <section className="card" aria-labelledby="call-requests">
          <h2 id="call-requests" className="card__title">
            Обращения
          </h2>
          {screen.request && !screen.call.continued && (
            <p>
              Звонок относится к обращению{" "}
              <Link to={`/console/requests/${screen.request.number}`}>
                № {displayRequestNumber(screen.request.number)}
              </Link>
            </p>
          )}
          {screen.openRequests.length === 0 ? (
            <p className="muted">Открытых обращений нет.</p>
          ) : (
            <ul>
              {screen.openRequests.map((r) => (
                <li key={r.number}>
                  <Link to={`/console/requests/${r.number}`}>№ {displayRequestNumber(r.number)}</Link> {r.subject} —{" "}
                  {STATUS_TITLES[r.status] ?? r.status}
                </li>
              ))}
            </ul>
          )}
          <h3>Другие обращения заявителя</h3>
          {(screen.applicantRequests ?? []).length === 0 ? (
            <p className="muted">Других обращений нет.</p>
          ) : (
            <ul>
              {screen.applicantRequests.map((r) => (
                <li key={r.number}>
                  <Link to={`/console/requests/${r.number}`}>№{r.number}</Link> {r.subject} —{" "}
                  {STATUS_TITLES[r.status] ?? r.status}
                  <span className="muted">
                    {" "}
                    · {CHANNEL_TITLES[r.channel] ?? r.channel}, {formatShort(r.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3>Прошлые звонки</h3>
          {screen.recentCalls.length === 0 ? (
            <p className="muted">Это первый звонок с этого номера.</p>
          ) : (
            <ul>
              {screen.recentCalls.map((c) => (
                <li key={c.id}>
                  {formatShort(c.startedAt)} — {CALL_STATES[c.state] ?? c.state}
                  {c.seconds ? `, ${Math.round(c.seconds / 60)}\u00a0мин` : ""}
                  {c.requestNumber ? `, обращение №${c.requestNumber}` : ""}
                </li>
              ))}
            </ul>
          )}
        </section>
        <Checklist
          screen={screen}
          audience={audience ?? screen.audience}
          setAudience={setAudience}
          onDone={async (r) => {
            setAccount(r.account);
            await load();
          }}
        />
        <PortalActions
          screen={screen}
          verified={verified}
          account={verified && account?.id === screen.verification?.accountId ? account : null}
          setAccount={setAccount}
        />
      </div>
    </div>
  );
}
