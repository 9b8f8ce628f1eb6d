// /widget.js: one <script src="https://…/widget.js"> on any page adds a «Чат с поддержкой» button that opens
// Otklik's chat. It draws inside a shadow root, so the host page's styles neither leak in nor out, and talks
// to the Otklik that served the script.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { createRoot } from "react-dom/client";
import css from "../src/chat/chat.css?inline";
import { ChatPanel } from "../src/chat/ChatLauncher.tsx";

const script = document.currentScript as HTMLScriptElement | null;
const base = script?.src ? new URL(script.src).origin : window.location.origin;

function Widget() {
  const [open, setOpen] = useState(false);
  return (
    <>
      {!open && (
        <button type="button" className="chat-launcher" onClick={() => setOpen(true)} aria-haspopup="dialog">
          Чат с поддержкой
        </button>
      )}
      <ChatPanel base={base} open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function mount() {
  const host = document.createElement("div");
  host.setAttribute("data-otklik-chat", "");
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  shadow.appendChild(style);
  const root = document.createElement("div");
  shadow.appendChild(root);
  // The widget lives on someone else's page: a cache of its own, not shared with anything there.
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
  createRoot(root).render(
    <QueryClientProvider client={queries}>
      <Widget />
    </QueryClientProvider>,
  );
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount);
