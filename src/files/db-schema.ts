// Attachments in the database: each file in chunks of at most CHUNK_BYTES, so a file is written and read a piece at a
// time and every process on the same database serves every file.
import { customType, integer, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";

/** bytea as a Buffer on both engines (PGlite answers a Uint8Array, node-postgres a Buffer). */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
});

export const fileChunks = pgTable(
  "file_chunks",
  {
    fileId: uuid("file_id").notNull(),
    seq: integer("seq").notNull(),
    data: bytea("data").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);
