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

/**
 * Runs `fn` at most once per `ms`, and once more after a burst: a busy contact centre sends many updates
 * a second, and the queue needs only the last state.
 */
export function useCoalesced<A extends unknown[]>(fn: (...args: A) => void, ms = 1000): (...args: A) => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | undefined; args: A | null }>({
    last: 0,
    timer: undefined,
    args: null,
  });
  useEffect(() => () => clearTimeout(state.current.timer), []);
  return useRef((...args: A) => {
    const s = state.current;
    s.args = args;
    if (s.timer) return;
    const wait = Math.max(0, s.last + ms - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.last = Date.now();
      const a = s.args;
      s.args = null;
      if (a) latest.current(...a);
    }, wait);
  }).current;
}
