// The messenger port: what the conversation flow (inbound.ts, outbound.ts) needs from a messenger — Telegram, VK or
// MAX. A driver sends a text (with buttons) or a file to a chat, fetches a file the applicant sent, and says
// its limits; its provider's refusals map to a few codes: worth retrying (with the seconds the provider asked to wait),
// a chat that no longer takes messages (the user blocked the bot), or final.

/** A button under a message: what it says and what comes back when it is pressed. */
export type Button = { text: string; data: string };

/** `key`: the same for every attempt at one part of one outgoing item, so a driver can make a retry idempotent. */
export type OutgoingText = { chatId: string; text: string; buttons?: Button[][] | undefined; key?: string | undefined };

export type OutgoingFile = {
  chatId: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  caption?: string | undefined;
  key?: string | undefined;
};

export type MessengerLimits = {
  /** Characters in one text message. */
  textMax: number;
  /** Characters in a file's caption. */
  captionMax: number;
  /** Messages a second, all chats together. */
  perSecond: number;
  /** Messages a second in one chat. */
  perChatPerSecond: number;
};

export class MessengerError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    /** Seconds the provider asked to wait, when it said. */
    readonly retryAfter?: number,
    /** The chat takes no more messages (the user blocked the bot, or deleted the account). */
    readonly undeliverable = false,
  ) {
    super(`messenger: ${code}`);
  }
}

export interface MessengerDriver {
  /** The channel's name as requests carry it (`telegram`). */
  readonly channel: string;
  readonly limits: MessengerLimits;
  sendText(m: OutgoingText): Promise<void>;
  sendFile(m: OutgoingFile): Promise<void>;
  /** A file the applicant sent, by the messenger's own id: its bytes (at most `maxBytes`, or a MessengerError). */
  fetchFile(fileId: string, maxBytes: number): Promise<Buffer>;
}

/** What an applicant did in a messenger, as the flow reads it, whatever the messenger. */
export type Inbound = {
  /** The messenger's id of the chat (the applicant's private chat with the bot). */
  chatId: string;
  /** The applicant's name as the messenger shows it. */
  name?: string | undefined;
  /** The provider's id of this event: a repeated delivery of it is recognised. */
  eventId: string;
  text: string;
  /** Files to fetch through the driver. */
  files?: { fileId: string; filename: string }[] | undefined;
  /** A button pressed (its data). */
  button?: string | undefined;
  /** The applicant edited an earlier message: this is its new text. */
  edited?: boolean | undefined;
};

declare module "../../room.ts" {
  interface Services {
    messengers: Map<string, MessengerDriver>;
  }
}
