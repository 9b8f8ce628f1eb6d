// The SMS port: how Otklik hands a short text to an SMS provider. The SMS room provides one gateway as the `sms`
// service (a driver chosen by the settings: the log driver by default, an HTTP driver for a generic gateway); rooms
// that reach an applicant by phone take it with `ctx.services.maybe("sms")` and send through it from an outbox job,
// so a provider's failure is retried and never loses a notification.

/** One text for one number. */
export type SmsMessage = {
  /** The number in E.164 (`+79161234567`). */
  to: string;
  text: string;
  /** Idempotency key: the same key sent twice is one SMS (the job that sends it may run again). */
  key: string;
};

/** What the provider answered: its id of the message. */
export type SmsReceipt = { id: string };

/** A provider's refusal. `retryable`: worth sending again later (limits, outages); otherwise the number or text is at fault. */
export class SmsError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    /** Seconds the provider asked to wait, when it said. */
    readonly retryAfter?: number,
  ) {
    super(`sms: ${code}`);
  }
}

export interface SmsGateway {
  /** The driver's name for logs and the admin page (`log`, `http`). */
  readonly driver: string;
  /** Sends one text; throws SmsError when the provider refuses. */
  send(message: SmsMessage): Promise<SmsReceipt>;
}

declare module "../../room.ts" {
  interface Services {
    sms: SmsGateway;
  }
}
