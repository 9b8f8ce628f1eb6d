// The screen pop: while the console is open, a call ringing in the operator's queue shows who is calling, their
// open requests and recent calls, and the line dialled; the operator who answers is taken to the call screen.
import { useCallback, useState } from "react";
import { api, ok } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { displayPhone, displayRequestNumber, formatShort } from "../format.ts";
import { STATUS_TITLES } from "../labels.ts";
import { type LiveEvent, useConsoleFeed } from "../live.ts";
import { Link, navigate } from "../router.tsx";
import { CALL_STATES, type CallScreen, callerTitle, type PhoneEvent } from "./types.ts";
import "./phone.css";

export function ScreenPop() {
  const { user, categories } = useConsole();
  const [pops, setPops] = useState<CallScreen[]>([]);

  const onEvent = useCallback(
    async (raw?: LiveEvent) => {
      const e = raw as unknown as PhoneEvent | undefined;
      if (!e?.callId) return;
      if (e.state !== "ringing") setPops((list) => list.filter((p) => p.call.id !== e.callId));
      if (e.event === "answer" && e.userId === user.id) {
        navigate(`/console/calls/${e.callId}`);
        return;
      }
      // Supervisors hear every call (for the wallboard); the ringing pop is for those who take calls.
      const takesCalls = user.role === "operator" || user.role === "specialist";
      if (takesCalls && e.state === "ringing" && e.event === "newCall") {
        try {
          const screen = (await ok(
            api.GET("/api/v1/phone/calls/{id}/screen", { params: { path: { id: e.callId } } }),
          )) as CallScreen;
          setPops((list) => [screen, ...list.filter((p) => p.call.id !== e.callId)].slice(0, 3));
        } catch {
          // A call that left the queue before we could read it: nothing to show.
        }
      }
    },
    [user.id, user.role],
  );
  useConsoleFeed("phone", onEvent);

  if (pops.length === 0) return null;
  return (
    <aside className="screen-pop" aria-label="Входящие звонки">
      {pops.map((p) => {
        const topic = categories.find((c) => c.code === p.topic)?.title;
        return (
          <section key={p.call.id} className="screen-pop__call card" role="alert" aria-label="Входящий звонок">
            <h2 className="screen-pop__title">
              {callerTitle(p.caller)}
              {p.caller.phone && <span className="screen-pop__phone"> {displayPhone(p.caller.phone)}</span>}
            </h2>
            <p className="muted">
              {p.line ? `${p.line.title} (${p.line.number})` : "Линия не определена"}
              {topic ? ` · тема: ${topic}` : ""} · {CALL_STATES[p.call.state]}
            </p>
            {p.call.continued && p.request && (
              <p className="screen-pop__continue">
                Повторный звонок после обрыва — продолжить обращение № {displayRequestNumber(p.request.number)}
              </p>
            )}
            {p.openRequests.length > 0 ? (
              <ul className="screen-pop__list" aria-label="Открытые обращения">
                {p.openRequests.slice(0, 3).map((r) => (
                  <li key={r.number}>
                    <Link to={`/console/requests/${r.number}`}>№ {displayRequestNumber(r.number)}</Link> {r.subject} —{" "}
                    {STATUS_TITLES[r.status] ?? r.status}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Открытых обращений нет.</p>
            )}
            {p.recentCalls.length > 0 && (
              <p className="muted">
                Последний звонок: {formatShort(p.recentCalls[0]!.startedAt)}, {CALL_STATES[p.recentCalls[0]!.state]}
              </p>
            )}
            <div className="screen-pop__actions">
              <Link to={`/console/calls/${p.call.id}`} className="button button--small">
                Открыть карточку звонка
              </Link>
              <button
                type="button"
                className="button button--small button--ghost"
                onClick={() => setPops((list) => list.filter((x) => x.call.id !== p.call.id))}
              >
                Скрыть
              </button>
            </div>
          </section>
        );
      })}
    </aside>
  );
}
