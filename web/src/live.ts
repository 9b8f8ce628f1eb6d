// Live updates over Server-Sent Events, with reconnection: the browser retries a dropped stream by itself,
// but gives up after an HTTP error, so then we start a new stream with a growing pause.
import { useEffect, useRef, useState } from "react";

export type LiveState = "connecting" | "live" | "offline";

export type LiveEvent = { topic?: string; number?: string; feed?: string };

/** The console's live feeds, all carried by one stream per tab (`/api/v1/console/stream`). */
export type ConsoleFeed = "requests" | "phone" | "notifications";

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

type FeedListener = (e?: LiveEvent) => void;

/**
 * One EventSource per tab for every console feed: a browser keeps at most six HTTP/1.1 connections to a host, and
 * a stream per feed per tab left a second tab without a connection for its API calls. Components subscribe by feed;
 * the stream opens with the first subscriber and closes with the last.
 */
const hub = {
  source: null as EventSource | null,
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
  attempt: 0,
  connectedOnce: false,
  state: "connecting" as LiveState,
  feeds: new Map<ConsoleFeed, Set<FeedListener>>(),
  states: new Set<(s: LiveState) => void>(),
};

function setHubState(s: LiveState) {
  hub.state = s;
  for (const l of hub.states) l(s);
}

function openHub() {
  const source = new EventSource("/api/v1/console/stream");
  hub.source = source;
  source.addEventListener("ready", () => {
    hub.attempt = 0;
    setHubState("live");
    // After a reconnect something may have changed while we were away: every subscriber reads again.
    if (hub.connectedOnce) for (const set of hub.feeds.values()) for (const l of set) l();
    hub.connectedOnce = true;
  });
  source.addEventListener("update", (e) => {
    let data: LiveEvent;
    try {
      data = JSON.parse((e as MessageEvent<string>).data) as LiveEvent;
    } catch {
      return;
    }
    for (const l of hub.feeds.get(data.feed as ConsoleFeed) ?? []) l(data);
  });
  source.onerror = () => {
    setHubState("offline");
    if (source.readyState === EventSource.CLOSED && hub.source === source) {
      source.close();
      hub.source = null;
      const pause = Math.min(30_000, 1000 * 2 ** hub.attempt++);
      hub.timer = setTimeout(() => {
        hub.timer = undefined;
        openHub();
      }, pause);
    }
  };
}

function subscribers() {
  let n = 0;
  for (const set of hub.feeds.values()) n += set.size;
  return n;
}

function subscribeFeed(feed: ConsoleFeed, listener: FeedListener): () => void {
  const set = hub.feeds.get(feed) ?? new Set();
  hub.feeds.set(feed, set);
  set.add(listener);
  if (!hub.source && !hub.timer) openHub();
  return () => {
    set.delete(listener);
    if (subscribers() > 0) return;
    clearTimeout(hub.timer);
    hub.timer = undefined;
    hub.source?.close();
    hub.source = null;
    hub.connectedOnce = false;
    hub.attempt = 0;
    setHubState("connecting");
  };
}

/** Subscribes a console component to one feed of the tab's shared stream; returns the stream's state. */
export function useConsoleFeed(feed: ConsoleFeed, onUpdate: (e?: LiveEvent) => void): LiveState {
  const callback = useRef(onUpdate);
  callback.current = onUpdate;
  const [state, setState] = useState<LiveState>(hub.state);
  useEffect(() => {
    hub.states.add(setState);
    const unsubscribe = subscribeFeed(feed, (e) => callback.current(e));
    setState(hub.state);
    return () => {
      unsubscribe();
      hub.states.delete(setState);
    };
  }, [feed]);
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

/** `value`, once it has stopped changing for `ms`: a search asked while typing waits for a pause. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
