// The e-mail channel: intake (SMTP, IMAP), parsing into an InboundMessage, subject and thread helpers,
// outbound mail and loop protection. No database here: the registry wires these into its own tables.

export { type Acknowledgement, acknowledgementMail } from "./acknowledge.ts";
export {
  type AttachmentFlag,
  classifyAttachment,
  type InboundAttachment,
  sniffContentType,
} from "./attachments.ts";
export {
  type AutoReplyVerdict,
  bareAddress,
  type HeaderBag,
  isAutoReply,
  SenderRateLimiter,
  suppressesAutoResponse,
} from "./autoreply.ts";
export { readableHtml } from "./body.ts";
export { type DecideOptions, decideInbound, type InboundDecision, type ThreadSource } from "./decide.ts";
export {
  type ImapClient,
  type ImapPollOptions,
  type ImapPollResult,
  pollImap,
  startImapPolling,
} from "./imap-poll.ts";
export {
  classifySendError,
  createMailer,
  type Mailer,
  type MailerOptions,
  type OutboundMail,
  type SendFailure,
} from "./mailer.ts";
export {
  DEFAULT_MAX_ATTACHMENTS,
  type InboundMessage,
  type MessageFlag,
  type ParseOptions,
  parseMessage,
} from "./parse.ts";
export { type SplitText, splitReply } from "./quote.ts";
export {
  type IntakeEnvelope,
  type IntakeEvent,
  type SmtpIntake,
  type SmtpIntakeOptions,
  startSmtpIntake,
} from "./smtp-intake.ts";
export {
  type CategoryCode,
  categoryFromSubject,
  findRequestNumber,
  findRequestNumberInText,
  formatSubject,
  isReplySubject,
  stripReplyPrefixes,
} from "./subject.ts";
export { makeMessageId, replyHeaders, requestNumberFromMessageIds } from "./threading.ts";
