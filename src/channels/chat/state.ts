// The chat's per-process state: its hub of connected clients, kept per context.
import type { AppContext } from "../../context.ts";
import { ChatHub } from "./hub.ts";

const hubs = new WeakMap<AppContext, ChatHub>();

export function hubOf(ctx: AppContext): ChatHub {
  let hub = hubs.get(ctx);
  if (!hub) {
    hub = new ChatHub(ctx);
    hubs.set(ctx, hub);
  }
  return hub;
}

export function closeHub(ctx: AppContext) {
  hubs.get(ctx)?.close();
  hubs.delete(ctx);
}
