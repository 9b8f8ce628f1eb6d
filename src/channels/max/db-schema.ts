// MAX's webhook updates, kept before 200 is answered: MAX takes any other answer (or none) as a failed delivery and
// sends the update again for hours, so an update is stored first (once per its key) and handled after, by an outbox
// job. Long polling needs no table: the marker is confirmed only after a batch was handled.
import { bigint, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sealedText } from "../../security/sealed.ts";

export const maxUpdates = pgTable(
  "max_updates",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // MAX's updates carry no id of their own: the key is made of what identifies one (a message's mid, a pressed
    // button's callback_id, the time of an edit), so a repeated delivery is recognised.
    updateKey: text("update_key").notNull(),
    type: text("type").notNull(),
    // The update as MAX sent it (a message's text, a user's id and name): encrypted, emptied once handled.
    body: sealedText("max_updates", "body"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    handledAt: timestamp("handled_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("max_updates_key_idx").on(t.updateKey)],
);
