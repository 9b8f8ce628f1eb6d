// The directory's answers as the API gives them (src/directory/schema.ts and schemas-http.ts).

export type Recommended = {
  id: string;
  number: string;
  e164: string;
  title: string;
  purpose: string;
  kind: string;
  role: string;
  open: boolean | null;
  opensAt: string | null;
  closesAt: string | null;
  hours: string;
  timezone: string;
  local?: { timezone: string; opensAt: string | null; closesAt: string | null };
  cost: "free" | "tariff";
  dial?: string;
  overloaded: boolean;
  regionalFallback: boolean;
  why: string;
  notes?: string;
};

export type DirectoryLine = {
  id: string;
  number: string;
  e164: string;
  title: string;
  purpose: string;
  kind: string;
  role: string;
  audience: string[];
  topics: string[];
  regions: string[];
  districts: string[];
  hours: string;
  timezone: string;
  cost: string;
  abroad: boolean;
  dial?: string;
  open: boolean | null;
  opensAt: string | null;
  closesAt: string | null;
  overloaded: boolean;
  notes?: string;
};

export type DirectoryLines = { at: string; groups: Array<{ title: string; lines: DirectoryLine[] }> };

export type RegionOption = { name: string; short: string[]; district: string; timezone: string };
