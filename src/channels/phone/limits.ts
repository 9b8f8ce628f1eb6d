// The bounds of what a PBX or a voice platform may send: every field, the number of fields and the body. The
// routes' schemas are built from these, so a handler never sees more than this.
export const EVENT_LIMITS = {
  bodyBytes: 16 * 1024,
  /** Named fields and any others a PBX adds, together. */
  fields: 40,
  event: 20,
  callId: 200,
  /** A phone number as PBXs write it, `sip:` addresses included. */
  number: 64,
  user: 200,
  /** Users named by one `answer` (a ring group): each is looked up. */
  users: 20,
  queue: 100,
  cause: 60,
  /** Each field the event does not use. */
  extra: 200,
} as const;

export const IVR_LIMITS = {
  bodyBytes: 64 * 1024,
  fields: 50,
  callSid: 64,
  number: 64,
  digits: 40,
  /** Each parameter the IVR does not use (Twilio sends twenty-odd, a call token among them). */
  extra: 1024,
} as const;

/**
 * Request numbers the IVR looks up (menu 3) in an hour: per caller's number (the PBX vouches for it), and for the
 * whole process, so that neither one caller nor many can walk through the numbers to learn which exist.
 */
export const IVR_STATUS_LIMITS = { perCaller: 5, perProcess: 600, windowSeconds: 3600 } as const;
