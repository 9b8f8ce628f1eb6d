// The directory's admin API shapes, from the generated API schema (src/directory/schemas-http.ts on the server).
import type { ResponseOf } from "../api/types.ts";

export type AdminDirectory = ResponseOf<"/api/v1/admin/directory">;
export type AdminEntry = AdminDirectory["entries"][number];
/** One line as the directory file writes it: its fields are the file's, not fixed by the API. */
export type Entry = AdminEntry["entry"];
export type CheckReport = ResponseOf<"/api/v1/admin/directory/check", "post">;
export type Problem = CheckReport["problems"][number];
export type CalendarYear = ResponseOf<"/api/v1/admin/directory/calendar/{year}">;
export type CalendarDay = CalendarYear["days"][number];
export type Version = ResponseOf<"/api/v1/admin/directory/versions">[number];
