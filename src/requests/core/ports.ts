// What the request core needs from the rest of Otklik, as small ports: the rules it applies but does not own (due
// times, the SLA clock, assignment, classification, what follows a registration) and the channels that deliver its
// news to the applicant. Routing plugs its rules in at start; each channel registers its adapter. Imports point one
// way: channels and routing → core → platform.
import type { Tx } from "../../db/client.ts";
import type { RequestRow } from "../schema.ts";
import type { Status } from "../status.ts";

export type { RequestRow };

/** Due times of a request and the kind of time each counts in. */
export type Due = {
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseBasis: string;
  resolutionBasis: string;
};

/** What chooses a request's SLA policy. */
export type DueKey = { channel: string; category: string | null; priority: string };

export type Classification = { category: string; confidence: number; audience: string; needsTriage: boolean };

/** A request just written by a registration, as the rules see it in the same transaction. */
export type NewlyRegistered = {
  id: number;
  number: string;
  departmentId: number | null;
  now: Date;
  /** Someone in its department is on shift. */
  staffed: boolean;
  /** Incidents it was linked to by the registration statement, in the order the links were made. */
  incidents: number[];
};

/**
 * Two SQL fragments the registration statement splices in, so that a whole group registers in one statement (see
 * register.ts). They are text, not builders: the statement is named and must read the same every time.
 */
export type RegistrationSql = {
  /** A select of `department_id` for the departments among `ids` (an SQL list or subquery) that have someone on shift. */
  staffedDepartments(ids: string): string;
  /**
   * A condition on `i` (a row of `incidents`) and `r` (a row of `requests`, with `created_at`, `status`, `category`
   * and `search`) that holds when the request is about the incident.
   */
  incidentMatch: string;
};

export type RequestRules = {
  /** Due times for a new request. */
  dueAt(key: DueKey, createdAt: Date): Due;
  /** Due times again after the channel, category or priority changed; pauses so far stay counted. */
  recomputeDue(row: RequestRow): Due;
  /** What entering `to` does to the SLA clock's columns (a pause starts or ends). */
  clockOn(row: RequestRow, to: Status, now: Date): Partial<RequestRow>;
  /** Who in a department takes a request now, or null (nobody on shift). */
  pickAssignee(tx: Tx, departmentId: number): Promise<number | null>;
  /** Runs in the registration's transaction after a group is written (assignment, incident messages). */
  onRegistered(tx: Tx, list: NewlyRegistered[]): Promise<void>;
  /** The category the text is about, or null when no classifier is loaded. */
  classify(text: string): Classification | null;
  /** The department code a category goes to first, or null. */
  departmentFor(category: string): string | null;
  registration: RegistrationSql;
};

/**
 * Rules until routing plugs its own in (command-line tools): due times a day away, no clock, nobody to assign, no
 * classifier, nothing routed, no incidents.
 */
export const BARE_RULES: RequestRules = {
  dueAt: (_key, createdAt) => {
    const day = new Date(createdAt.getTime() + 24 * 3600_000);
    return {
      firstResponseDueAt: day,
      resolutionDueAt: day,
      firstResponseBasis: "calendar",
      resolutionBasis: "calendar",
    };
  },
  recomputeDue: (row) => ({
    firstResponseDueAt: row.firstResponseDueAt ?? row.createdAt,
    resolutionDueAt: row.resolutionDueAt ?? row.createdAt,
    firstResponseBasis: row.firstResponseBasis ?? "calendar",
    resolutionBasis: row.resolutionBasis ?? "calendar",
  }),
  clockOn: () => ({}),
  pickAssignee: async () => null,
  onRegistered: async () => {},
  classify: () => null,
  departmentFor: () => null,
  registration: { staffedDepartments: () => "select null::int as department_id where false", incidentMatch: "false" },
};

/** What the core announces to the applicant's channels, after commit (from the outbox, at least once). */
export type Delivery =
  /** The request was registered: the applicant is told its number, due time and tracking link. */
  | { kind: "registered"; requestId: number; number: string }
  /**
   * A public message from the service (an operator, an incident notice): `messageId` on request `requestId`.
   * `action` is the history row's (`replied`, `asked` for a request for more information, `incident_linked`,
   * `incident_updated`, `incident_resolved`).
   */
  | {
      kind: "message.public";
      requestId: number;
      number: string;
      messageId: number;
      action: string;
      /** The message resolved the request: the same event also brings the `resolved` delivery that carries it. */
      resolves: boolean;
      /**
       * The channel the message was written in, when the event says: an answer typed in the applicant's chat is in
       * that chat already, and the notification policy sends no letter or SMS for it.
       */
      via?: string;
    }
  /** The status changed; `historyId` is the history row that records it. */
  | { kind: "status.changed"; requestId: number; number: string; from: Status; to: Status; historyId: number | null }
  /**
   * The request was resolved: the applicant is asked to rate the answer. `messageId`: the public message that came
   * with the resolution (an operator's last answer, an incident's end), for notices that carry both at once.
   */
  | { kind: "resolved"; requestId: number; number: string; historyId: number | null; messageId?: number }
  /** The request was merged into another (`historyId`: the merge's row on it); the applicant is told where it went. */
  | { kind: "merged"; requestId: number; number: string; historyId: number | null };

/** The request a delivery is about, as far as an adapter needs to know whether it reaches the applicant at all. */
export type DeliveryTarget = {
  id: number;
  channel: string;
  /** The applicant gave an e-mail address (the adapter reads it itself, decrypted, when it needs it). */
  hasEmail: boolean;
  /** The applicant gave a phone number. */
  hasPhone: boolean;
};

/**
 * A channel: it receives what applicants send and turns it into core commands (register, appendMessage), and it
 * delivers the core's news to the applicant where this channel reaches them. `deliver` runs at least once per
 * delivery and must be idempotent (key what it sends by the message or history row).
 */
export type ChannelAdapter = {
  channel: string;
  /**
   * Whether the channel may have something to deliver, decided from the delivery and the request's facts alone (no
   * reads). `deliver` is called only when it answers yes; an event that no channel reaches is not run at all. An
   * adapter without it is asked every delivery.
   */
  reaches?(delivery: Delivery, request: DeliveryTarget): boolean;
  deliver?(delivery: Delivery, request: DeliveryTarget): Promise<void>;
  /**
   * Several deliveries at once (a burst of registrations), as `deliver` for each in the given order would, answering
   * the failures by the delivery's place in the list. An adapter without it is handed them one by one.
   */
  deliverMany?(list: { delivery: Delivery; request: DeliveryTarget }[]): Promise<Map<number, unknown>>;
};
