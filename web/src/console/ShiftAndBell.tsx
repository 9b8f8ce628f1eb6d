// The console header's own controls for the SLA: «on shift» (new requests come to me) and the notifications bell,
// kept live over Server-Sent Events.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, errorText } from "../api.ts";
import { formatShort } from "../format.ts";
import { useConsoleFeed } from "../live.ts";
import { Link } from "../router.tsx";
import { useConsole } from "./session.ts";

type Notification = {
  id: number;
  kind: string;
  title: string;
  number: string | null;
  createdAt: string;
  read: boolean;
};
type Inbox = { unread: number; items: Notification[] };

const WORKERS = ["operator", "specialist", "supervisor", "administrator"];

export function ShiftAndBell() {
  const { user } = useConsole();
  const [onShift, setOnShift] = useState<boolean | null>(null);
  const [inbox, setInbox] = useState<Inbox>({ unread: 0, items: [] });
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [handed, setHanded] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    api<Inbox>("/notifications")
      .then(setInbox)
      .catch(() => {});
  }, []);
  useEffect(() => {
    load();
    if (WORKERS.includes(user.role))
      api<{ onShift: boolean }>("/staff/me/shift")
        .then((s) => setOnShift(s.onShift))
        .catch(() => {});
  }, [load, user.role]);
  useConsoleFeed("notifications", load);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const toggleShift = async () => {
    setError(null);
    try {
      const s = await api<{ onShift: boolean; assigned: number }>("/staff/me/shift", {
        method: "PUT",
        body: { onShift: !onShift },
      });
      setOnShift(s.onShift);
      setHanded(s.assigned > 0 ? `Из очереди подразделения назначено: ${s.assigned}` : null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const readAll = async () => {
    const r = await api<{ unread: number }>("/notifications/read", { body: {} });
    setInbox((x) => ({ unread: r.unread, items: x.items.map((i) => ({ ...i, read: true })) }));
  };

  return (
    <div
      className="console-sla"
      ref={box}
      style={{ position: "relative", display: "flex", gap: "0.5rem", alignItems: "center" }}
    >
      {onShift !== null && (
        <button
          type="button"
          className={`button button--small ${onShift ? "" : "button--secondary"}`}
          aria-pressed={onShift}
          title={onShift ? "Новые обращения назначаются вам" : "Новые обращения вам не назначаются"}
          onClick={() => void toggleShift()}
        >
          {onShift ? "На смене" : "Не на смене"}
        </button>
      )}
      <button
        type="button"
        className="button button--small button--ghost"
        aria-expanded={open}
        aria-label={`Уведомления: непрочитанных ${inbox.unread}`}
        onClick={() => setOpen((o) => !o)}
      >
        Уведомления{" "}
        {inbox.unread > 0 && (
          <span className="badge badge--escalated" aria-hidden="true">
            {inbox.unread}
          </span>
        )}
      </button>
      {handed && (
        <span className="muted" role="status">
          {handed}
        </span>
      )}
      {error && (
        <span className="alert alert--error" role="alert">
          {error}
        </span>
      )}
      {open && (
        <div
          className="card console-sla__inbox"
          role="dialog"
          aria-label="Уведомления"
          style={{
            position: "absolute",
            right: 0,
            top: "100%",
            zIndex: 10,
            width: "min(28rem, 90vw)",
            maxHeight: "70vh",
            overflow: "auto",
          }}
        >
          {inbox.items.length === 0 ? (
            <p className="muted">Уведомлений нет.</p>
          ) : (
            <ul className="history">
              {inbox.items.map((n) => (
                <li key={n.id} className={n.read ? "muted" : ""}>
                  {n.number ? (
                    <Link to={`/console/requests/${n.number}`} onClick={() => setOpen(false)}>
                      {n.title}
                    </Link>
                  ) : (
                    n.title
                  )}{" "}
                  <span className="muted nowrap">{formatShort(n.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
          {inbox.unread > 0 && (
            <button type="button" className="button button--small button--secondary" onClick={() => void readAll()}>
              Отметить все прочитанными
            </button>
          )}
        </div>
      )}
    </div>
  );
}
