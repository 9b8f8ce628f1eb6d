// The console header's own controls for the SLA: «on shift» (new requests come to me) and the notifications bell,
// kept live over Server-Sent Events: the unread count, the notices grouped by request, and what to hear about.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { $api, api, errorText, ok } from "../api/client.ts";
import { count, displayRequestNumber, formatShort, WORDS } from "../format.ts";
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
  const inbox = $api.useQuery("get", "/api/v1/notifications").data ?? { unread: 0, items: [], groups: [] };
  const [open, setOpen] = useState(false);
  const [tuning, setTuning] = useState(false);
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
  const readSome = async (ids: number[]) => {
    await api.POST("/api/v1/notifications/read", { body: { ids } });
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
        onClick={() => setOpen((o) => !o)}
      >
        {/* The name is the visible text («Уведомления 3») and a hidden word: speech input finds it by what it shows. */}
        Уведомления{" "}
        {inbox.unread > 0 && (
          <span className="badge badge--escalated">
            {inbox.unread}
            <span className="visually-hidden"> непрочитанных</span>
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
          <div className="actions" style={{ justifyContent: "space-between", marginBottom: "0.5rem" }}>
            {inbox.unread > 0 ? (
              <button type="button" className="button button--small button--secondary" onClick={() => void readAll()}>
                Отметить все прочитанными
              </button>
            ) : (
              <span className="muted">Всё прочитано.</span>
            )}
            <button
              type="button"
              className="button button--small button--ghost"
              aria-expanded={tuning}
              onClick={() => setTuning((t) => !t)}
            >
              Настроить
            </button>
          </div>
          {tuning && <NoticeSettings />}
          {inbox.groups.length === 0 ? (
            <p className="muted">Уведомлений нет.</p>
          ) : (
            <ul className="history" aria-label="Уведомления по обращениям">
              {inbox.groups.map((g) => {
                const href = g.number
                  ? `/console/requests/${g.number}`
                  : g.kind === "webhook_disabled"
                    ? "/console/admin/webhooks"
                    : g.kind === "incident"
                      ? "/console/incidents"
                      : null;
                const label =
                  g.count > 1 && g.number
                    ? `${count(g.count, ...WORDS.event)} по обращению ${displayRequestNumber(g.number)}`
                    : g.title;
                const go = () => {
                  setOpen(false);
                  if (g.unread > 0) void readSome(g.ids);
                };
                return (
                  <li key={g.key} className={g.unread > 0 ? "" : "muted"} data-unread={g.unread > 0 || undefined}>
                    {href ? (
                      <Link to={href} onClick={go}>
                        {label}
                      </Link>
                    ) : (
                      label
                    )}{" "}
                    <span className="muted nowrap">{formatShort(g.createdAt)}</span>
                    {g.count > 1 && <div className="muted">Последнее: {g.title}</div>}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** Which kinds of notices come to me: each a checkbox, saved at once; the server then writes only those. */
function NoticeSettings() {
  const queries = useQueryClient();
  const settings = $api.useQuery("get", "/api/v1/notifications/settings");
  const [error, setError] = useState<string | null>(null);
  const kinds = settings.data?.kinds ?? [];
  const toggle = async (kind: string, enabled: boolean) => {
    setError(null);
    const muted = kinds.filter((k) => (k.kind === kind ? !enabled : !k.enabled)).map((k) => k.kind);
    try {
      const saved = await ok(api.PUT("/api/v1/notifications/settings", { body: { muted } }));
      queries.setQueryData(["get", "/api/v1/notifications/settings", {}], saved);
      await queries.invalidateQueries({ queryKey: ["get", "/api/v1/notifications/settings"] });
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <fieldset className="field" style={{ marginBottom: "0.75rem" }}>
      <legend>О чём сообщать</legend>
      {kinds.map((k) => (
        <label key={k.kind} style={{ display: "flex", gap: "0.5rem", alignItems: "center" }}>
          <input type="checkbox" checked={k.enabled} onChange={(e) => void toggle(k.kind, e.target.checked)} />
          {k.title}
        </label>
      ))}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
