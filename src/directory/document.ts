// The directory as a YAML document and back: the sections («---- Федеральные линии ----») and the comment above
// each entry survive a round trip, so an exported file reads like the shipped one and explains its withdrawals.
import { Document, isMap, isSeq, parseDocument, stringify, type YAMLMap, type YAMLSeq } from "yaml";
import { formatTime } from "./schedule.ts";
import { AUDIENCES, type DirectoryLine, type LineKind, type Period, TOPICS } from "./types.ts";

/** One entry of the document with what the YAML says around it. */
export interface DocumentEntry {
  line: DirectoryLine;
  section: string;
  comment: string | null;
}

export const SECTION_OF_KIND: Record<LineKind, string> = {
  federal: "Федеральные линии",
  international: "Звонки из-за рубежа",
  regional: "Региональные линии",
  business: "Юридические лица",
  entrepreneur: "Индивидуальные предприниматели",
  topical: "Тематические линии",
};

const HEADING_RE = /^\s*-{2,}\s*(.+?)\s*-{2,}\s*$/;

export function defaultSection(kind: string): string {
  return SECTION_OF_KIND[kind as LineKind] ?? "Другие линии";
}

/**
 * Sections and comments of each entry of a directory file, in the order of its `lines`. An entry under no
 * heading stays in the section above it; the first one falls back to the section of its kind.
 */
export function readLayout(text: string): Array<{ section: string | null; comment: string | null }> {
  const doc = parseDocument(text);
  const seq = isMap(doc.contents) ? doc.contents.get("lines", true) : undefined;
  if (!isSeq(seq)) return [];
  return (seq as YAMLSeq).items.map((item, i) => {
    // The yaml parser hangs the comment above the first item on the list itself.
    const raw = (i === 0 ? (seq as YAMLSeq).commentBefore : undefined) ?? (item as YAMLMap).commentBefore ?? "";
    const lines = raw.split("\n").map((l) => l.replace(/^ /, ""));
    const heading = lines.findIndex((l) => HEADING_RE.test(l));
    const section = heading >= 0 ? HEADING_RE.exec(lines[heading]!)![1]! : null;
    const rest = heading >= 0 ? lines.slice(heading + 1) : lines;
    const comment = rest.join("\n").trim();
    return { section, comment: comment || null };
  });
}

/** Joins parsed lines with their layout: the section of each entry and the comment above it. */
export function withLayout(lines: DirectoryLine[], text: string): DocumentEntry[] {
  const layout = readLayout(text);
  let section: string | undefined;
  return lines.map((line, i) => {
    const l = layout[i];
    section = l?.section ?? section ?? defaultSection(line.kind);
    return { line, section, comment: l?.comment ?? null };
  });
}

/** The YAML form of a line, as an administrator writes it in data/directory.yaml. */
export function lineToEntry(line: DirectoryLine): Record<string, unknown> {
  const e: Record<string, unknown> = { id: line.id, number: line.number };
  if (line.written !== undefined) e.written = line.written;
  Object.assign(e, { e164: line.e164, title: line.title, purpose: line.purpose, kind: line.kind, role: line.role });
  if (line.backs !== undefined) e.backs = line.backs;
  e.audience = sameList(line.audience, AUDIENCES) ? "all" : [...line.audience];
  e.topics = sameList(line.topics, TOPICS) ? "all" : [...line.topics];
  if (line.regions.length === 1) e.region = line.regions[0];
  else if (line.regions.length > 1) e.regions = [...line.regions];
  if (line.districts.length) e.districts = [...line.districts];
  e.timezone = line.timezone;
  e.schedule =
    line.schedule.kind === "periods"
      ? line.schedule.periods.map((p: Period) => ({ days: p.days, from: formatTime(p.from), to: formatTime(p.to) }))
      : line.schedule.kind;
  e.cost = line.cost;
  e.languages = [...line.languages];
  if (line.abroad) e.abroad = true;
  if (!line.published) e.published = false;
  for (const f of ["unpublishedReason", "sameAs", "notes"] as const) if (line[f] !== undefined) e[f] = line[f];
  return e;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const HEADER = [
  "# Справочник телефонных линий службы поддержки (выгрузка Otklik).",
  "# Формат описан в docs/DIRECTORY.md. Проверка: npx otklik directory check <файл>",
];

/** Renders entries (each a DirectoryLine or a raw YAML entry) as a directory file with sections and comments. */
export function renderDocument(
  entries: Array<{ entry: Record<string, unknown>; section: string; comment: string | null }>,
): string {
  const out = [...HEADER, "version: 1", "lines:"];
  let section: string | undefined;
  for (const { entry, section: s, comment } of entries) {
    if (s !== section) {
      out.push("", `  # ---- ${s} ----`);
      section = s;
    }
    out.push("");
    if (comment) for (const c of comment.split("\n")) out.push(c.trim() ? `  # ${c}` : "  #");
    out.push(indent(renderEntry(entry)));
  }
  return `${out.join("\n")}\n`;
}

export function renderEntries(entries: DocumentEntry[]): string {
  return renderDocument(entries.map((e) => ({ entry: lineToEntry(e.line), section: e.section, comment: e.comment })));
}

function renderEntry(entry: Record<string, unknown>): string {
  const doc = new Document([entry]);
  const item = (doc.contents as YAMLSeq).items[0];
  if (isMap(item))
    for (const pair of item.items) {
      const v = pair.value;
      // Short lists and the periods of a schedule read best on one line each, as in the shipped file.
      if (isSeq(v)) {
        if (v.items.every((x) => !isMap(x))) v.flow = true;
        else for (const p of v.items) if (isMap(p)) p.flow = true;
      }
    }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** One raw entry as YAML text, for messages and the editor's preview. */
export function entryToYaml(entry: Record<string, unknown>): string {
  return stringify(entry, { lineWidth: 0 });
}
