// Text offered to the reply box from elsewhere on the request page (an article's answer, a filled template).
import { useEffect, useRef } from "react";

const INSERT_EVENT = "otklik:reply-insert";

export function insertIntoReply(text: string) {
  window.dispatchEvent(new CustomEvent<string>(INSERT_EVENT, { detail: text }));
}

/** The reply box listens: `fn` receives each inserted text. */
export function useReplyInsert(fn: (text: string) => void) {
  const current = useRef(fn);
  current.current = fn;
  useEffect(() => {
    const handler = (e: Event) => current.current((e as CustomEvent<string>).detail);
    window.addEventListener(INSERT_EVENT, handler);
    return () => window.removeEventListener(INSERT_EVENT, handler);
  }, []);
}
