// VK's Callback API events, kept before «ok» is answered: VK waits a few seconds for it and repeats an event it got
// no «ok» for, so an event is stored first (once per its event_id) and handled after, by an outbox job.
import { bigint, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sealedText } from "../../security/sealed.ts";

export const vkEvents = pgTable(
  "vk_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // VK's own id of the event: a repeated delivery of it is recognised.
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    // The event's object as VK sent it (a message's text, a user's id): encrypted, emptied once handled.
    body: sealedText("vk_events", "body"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    handledAt: timestamp("handled_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("vk_events_event_idx").on(t.eventId)],
);
