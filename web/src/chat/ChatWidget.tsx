// The applicant's chat: contact details, then the bot, then an operator. The same component runs on Otklik's
// own pages and inside the embeddable /widget.js (there `base` is Otklik's address on another site).
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { clientFor, ok } from "../api/client.ts";
import { IncidentBanner, useActiveIncidents } from "../incidents.tsx";
import { ChatContactForm } from "./ChatContactForm.tsx";
import { ChatConversation } from "./ChatConversation.tsx";
import { forgetChat, type Stored, storeChat, storedChat } from "./chatStore.ts";

export function ChatWidget({ base = "", onClose }: { base?: string; onClose?: () => void }) {
  const [session, setSession] = useState<Stored | null>(storedChat);
  const incidents = useActiveIncidents(base);
  const hours = useQuery({
    queryKey: ["chat-hours", base],
    queryFn: ({ signal }) => ok(clientFor(base).GET("/api/v1/chat/hours", { signal })),
  }).data;

  const restart = () => {
    forgetChat();
    setSession(null);
  };

  return (
    <section className="chat" aria-label="Чат со службой поддержки">
      <header className="chat__head">
        <h2 className="chat__title">Чат поддержки</h2>
        {onClose && (
          <button type="button" className="chat__close" onClick={onClose} aria-label="Свернуть чат">
            ×
          </button>
        )}
      </header>
      <IncidentBanner incidents={incidents} compact />
      {session ? (
        <ChatConversation key={session.token} base={base} session={session} onRestart={restart} />
      ) : (
        <ChatContactForm
          base={base}
          hours={hours ?? null}
          onStarted={(s) => {
            storeChat(s);
            setSession(s);
          }}
        />
      )}
    </section>
  );
}
