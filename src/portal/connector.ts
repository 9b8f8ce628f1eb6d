// What the support desk may ask of the portal, through one interface: the built-in registry (the default,
// Otklik's own tables) or the HTTP connector to a real portal (docs/portal-connector.openapi.json).

export const APPLICATION_STATUSES = ["in_processing", "approved", "rejected", "documents_required"] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const APPLICATION_STATUS_TITLES: Record<ApplicationStatus, string> = {
  in_processing: "в обработке",
  approved: "одобрено",
  rejected: "отклонено",
  documents_required: "требуется дополнение документов",
};

export type PortalAccount = {
  id: string;
  fullName: string;
  phone: string | null;
  snils: string | null;
  /** Known to the built-in registry; the HTTP connector's portal does not send it. */
  inn?: string | null;
  locked: boolean;
};

export type PortalApplication = {
  number: string;
  /** Whose application it is: its status is read only to that account's verified owner. */
  accountId: string | null;
  service: string;
  status: ApplicationStatus;
  submittedAt: string;
};

export interface PortalConnector {
  readonly name: "builtin" | "http";
  findAccount(by: { phone?: string; snils?: string }): Promise<PortalAccount | null>;
  applicationStatus(number: string): Promise<PortalApplication | null>;
  resendCode(accountId: string): Promise<{ sentTo: string | null }>;
  unlockAccount(accountId: string): Promise<{ wasLocked: boolean }>;
  changePhone(accountId: string, phone: string): Promise<void>;
}

/** A connector failure the operator can act on; the portal's own words never reach the applicant. */
export class PortalError extends Error {
  constructor(
    readonly code: "account_not_found" | "portal_unavailable" | "portal_refused",
    message: string,
  ) {
    super(message);
  }
}
