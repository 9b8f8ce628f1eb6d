// One's own notifications as the console's bell shows them: each names its request by number, never by contact;
// the notices about one request come together as one group, newest first.
import type { AppContext } from "../context.ts";
import { emit } from "../db/outbox.ts";
import { requestNumbers } from "../requests/queries.ts";
import {
  markRead,
  mutedKinds,
  NOTICE_KIND_LIST,
  NOTICE_KINDS,
  NOTIFICATION_TOPIC,
  type NoticeKind,
  recentNotifications,
  setMutedKinds,
  unreadCount,
} from "./notify.ts";

type Item = {
  id: number;
  kind: string;
  title: string;
  number: string | null;
  createdAt: string;
  read: boolean;
};

export type NoticeGroup = {
  /** `request:<number>` for a request's notices, `notice:<id>` for one about no request. */
  key: string;
  number: string | null;
  /** The newest notice's kind and title. */
  kind: string;
  title: string;
  createdAt: string;
  count: number;
  unread: number;
  ids: number[];
};

/** Items newest first into groups: one per request, one per notice about no request; groups by their newest notice. */
export function groupNotices(items: readonly Item[]): NoticeGroup[] {
  const groups = new Map<string, NoticeGroup>();
  for (const n of items) {
    const key = n.number ? `request:${n.number}` : `notice:${n.id}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.unread += n.read ? 0 : 1;
      g.ids.push(n.id);
    } else {
      groups.set(key, {
        key,
        number: n.number,
        kind: n.kind,
        title: n.title,
        createdAt: n.createdAt,
        count: 1,
        unread: n.read ? 0 : 1,
        ids: [n.id],
      });
    }
  }
  return [...groups.values()];
}

export async function myNotifications(ctx: AppContext, userId: number, unreadOnly: boolean) {
  const rows = await recentNotifications(ctx.db, userId, unreadOnly);
  const ids = [...new Set(rows.map((r) => r.requestId).filter((x): x is number => x !== null))];
  const numbers = ids.length ? await requestNumbers(ctx.db, ids) : new Map<number, string>();
  const items = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    number: r.requestId ? (numbers.get(r.requestId) ?? null) : null,
    createdAt: r.createdAt.toISOString(),
    read: r.readAt !== null,
  }));
  return { unread: await unreadCount(ctx.db, userId), items, groups: groupNotices(items) };
}

/** Marks the given notifications read (all of them without ids); returns how many stay unread. */
export async function readMine(ctx: AppContext, userId: number, ids: number[] | undefined): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await markRead(tx, userId, ids ?? "all");
    // The employee's other tabs and windows hear it too: their bells count again.
    await emit(tx, NOTIFICATION_TOPIC, { userId, notificationId: null, read: true });
    return unreadCount(tx, userId);
  });
}

/** Each kind of notice with its name and whether the employee hears of it. */
export async function mySettings(ctx: AppContext, userId: number) {
  const muted = new Set(await mutedKinds(ctx.db, userId));
  return {
    kinds: NOTICE_KIND_LIST.map((kind) => ({
      kind,
      title: NOTICE_KINDS[kind],
      enabled: !muted.has(kind),
    })),
  };
}

export async function saveMySettings(ctx: AppContext, userId: number, muted: NoticeKind[]) {
  await setMutedKinds(ctx.db, userId, muted);
  return mySettings(ctx, userId);
}
