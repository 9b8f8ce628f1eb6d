// The directory's admin API shapes (src/directory/schemas-http.ts).

export type Problem = {
  severity: "error" | "warning";
  code: string;
  line?: number;
  entry?: string;
  field?: string;
  message: string;
};

export type CheckReport = { ok: boolean; errors: number; warnings: number; problems: Problem[] };

export type Entry = Record<string, unknown>;

export type AdminEntry = {
  id: string;
  section: string;
  comment: string | null;
  entry: Entry;
  published: boolean;
  overloaded: boolean;
  overloadedBy?: number | null;
  overloadedAt?: string;
  updatedAt: string;
  updatedBy: number | null;
};

export type AdminDirectory = { sections: string[]; entries: AdminEntry[]; check: CheckReport };

export type CalendarDay = {
  date: string;
  type: "holiday" | "day_off" | "short" | "working";
  title?: string;
  from?: string;
};

export type CalendarYear = {
  year: number;
  source: string;
  decree?: string;
  days: CalendarDay[];
  workingDays: number;
  shortDays: number;
  updatedAt?: string;
};

export type Version = { id: number; kind: string; subject: string; changedBy: string | null; changedAt: string };
