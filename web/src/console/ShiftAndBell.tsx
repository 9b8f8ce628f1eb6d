// The console header's own controls for the SLA: «on shift» (new requests come to me) and the notifications bell,
// kept live over Server-Sent Events.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { $api, api, errorText, ok } from "../api/client.ts";
import { formatShort } from "../format.ts";
import { useConsoleFeed } from "../live.ts";
import { Link } from "../router.tsx";
import { useConsole } from "./session.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"];

export function ShiftAndBell() {
  const { user } = useConsole();
  const queries = useQueryClient();
  const worker = WORKERS.includes(user.role);
  const shift = $api.useQuery("get", "/api/v1/staff/me/shift", {}, { enabled: worker });
  const onShift = worker ? (shift.data?.onShift ?? null) : null;
  const inbox = $api.useQuery("get", "/api/v1/notifications").data ?? { unread: 0, items: [] };
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [handed, setHanded] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  const reloadInbox = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/notifications"] });
  useConsoleFeed("notifications", () => void reloadInbox());

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
      const s = await ok(api.PUT("/api/v1/staff/me/shift", { body: { onShift: !onShift } }));
      queries.setQueryData(["get", "/api/v1/staff/me/shift", {}], { onShift: s.onShift });
      setHanded(s.assigned > 0 ? `Из очереди подразделения назначено: ${s.assigned}` : null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const readAll = async () => {
    await api.POST("/api/v1/notifications/read", { body: {} });
    await reloadInbox();
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
