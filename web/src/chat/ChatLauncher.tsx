// The floating chat panel of the public pages and of /widget.js; Escape or «×» folds it back.
import { useEffect, useRef } from "react";
import { ChatWidget } from "./ChatWidget.tsx";

export function ChatPanel({ base = "", open, onClose }: { base?: string; open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    ref.current?.querySelector<HTMLElement>("input, textarea")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, onClose]);
  if (!open) return null;
  return (
    <div className="chat-panel" ref={ref} role="dialog" aria-label="Чат поддержки">
      <ChatWidget base={base} onClose={onClose} />
    </div>
  );
}
