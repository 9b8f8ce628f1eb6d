// Live updates over Server-Sent Events, with reconnection: the browser retries a dropped stream by itself,
// but gives up after an HTTP error, so then we start a new stream with a growing pause.
import { useEffect, useRef, useState } from "react";

export type LiveState = "connecting" | "live" | "offline";

export type LiveEvent = { topic?: string; number?: string };

export function useLiveUpdates(url: string | null, onUpdate: (e?: LiveEvent) => void): LiveState {
  const callback = useRef(onUpdate);
  callback.current = onUpdate;
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    if (!url) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let connectedOnce = false;
    let stopped = false;

    const open = () => {
      source = new EventSource(url);
      source.addEventListener("ready", () => {
        attempt = 0;
        setState("live");
        // After a reconnect something may have changed while we were away: read it again.
        if (connectedOnce) callback.current();
        connectedOnce = true;
      });
      source.addEventListener("update", (e) => {
        let data: LiveEvent | undefined;
        try {
          data = JSON.parse((e as MessageEvent<string>).data) as LiveEvent;
        } catch {
          data = undefined;
        }
        callback.current(data);
      });
      source.onerror = () => {
        setState("offline");
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          const pause = Math.min(30_000, 1000 * 2 ** attempt++);
          timer = setTimeout(open, pause);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [url]);

  return state;
}

/** Re-renders every `ms` so relative times («через 3 ч») stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
