// The «Чат» button of Otklik's public pages: opens the same chat as /widget.js above the page.
import { useRef, useState } from "react";
import "./chat.css";
import { ChatPanel } from "./ChatLauncher.tsx";

/** A button for a page's navigation; the panel floats above the page. */
export function ChatButton({ className }: { className?: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button ref={button} type="button" className={className} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Чат
      </button>
      <ChatPanel
        open={open}
        onClose={() => {
          setOpen(false);
          button.current?.focus();
        }}
      />
    </>
  );
}
