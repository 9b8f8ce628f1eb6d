// Every setting of Otklik, declared once and validated at start: a bad value stops the process with its name.
import path from "node:path";
import { type DataKey, decodeKey, parseDataKeys } from "./security/keys.ts";

export type Config = {
  port: number;
  host: string;
  smtpPort: number;
  dataDir: string;
  databaseUrl: string | undefined;
  adminPassword: string | undefined;
  publicRateLimit: number;
  publicUrl: string;
  smtpRelay: string | undefined;
  supportAddress: string;
  mailDomain: string | undefined;
  smtpMaxBytes: number;
  smtpMaxSessions: number;
  smtpMaxSessionsPerAddress: number;
  smtpIdleMinutes: number;
  imapUrl: string | undefined;
  emailAckLimit: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
  logLevel: string;
  trustProxy: boolean;
  metricsPort: number | undefined;
  metricsHost: string;
  auditCheckpointMinutes: number;
  chatMaxPerOperator: number;
  chatMaxFileMb: number;
  retentionRequestDays: number;
  retentionRawMailDays: number;
  retentionAuditDays: number;
  phoneSecret: string | undefined;
  callbackWindowMinutes: number;
  phoneQueueMaxWaiting: number;
  phoneQueueMaxWaitSeconds: number;
  portalUrl: string | undefined;
  portalToken: string | undefined;
  dataKeys: DataKey[] | undefined;
  indexKey: Buffer | undefined;
};

type Setting = {
  env: string;
  describe: string;
  default?: string;
  parse: (raw: string) => unknown;
};

const int = (min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`целое число от ${min} до ${max}`);
  return n;
};
const text = (raw: string) => raw;
const bool = (raw: string) => {
  if (["1", "true", "yes"].includes(raw)) return true;
  if (["0", "false", "no", ""].includes(raw)) return false;
  throw new Error("true или false");
};
const url = (protocols: string[]) => (raw: string) => {
  const u = new URL(raw);
  if (!protocols.includes(u.protocol)) throw new Error(`адрес со схемой ${protocols.join(" или ")}`);
  return raw;
};

/** The table of settings; README.md lists the same ones (a test keeps them in step). */
export const SETTINGS: Record<keyof Config, Setting> = {
  port: { env: "OTKLIK_PORT", describe: "HTTP port", default: "3000", parse: int(0, 65535) },
  host: { env: "OTKLIK_HOST", describe: "address to listen on", default: "127.0.0.1", parse: text },
  smtpPort: {
    env: "OTKLIK_SMTP_PORT",
    describe: "port of the SMTP intake (0 turns it off)",
    default: "2525",
    parse: int(0, 65535),
  },
  dataDir: {
    env: "OTKLIK_DATA_DIR",
    describe: "data folder (embedded database, attachments, outbox)",
    default: "./var",
    parse: (raw) => path.resolve(raw),
  },
  databaseUrl: {
    env: "DATABASE_URL",
    describe: "postgres://… puts the data on a PostgreSQL server instead of the embedded one",
    parse: url(["postgres:", "postgresql:"]),
  },
  adminPassword: {
    env: "OTKLIK_ADMIN_PASSWORD",
    describe: "password of the first administrator (otherwise a random one is printed once)",
    parse: (raw) => {
      if (raw.length < 10) throw new Error("не короче 10 символов");
      return raw;
    },
  },
  publicRateLimit: {
    env: "OTKLIK_PUBLIC_RATE_LIMIT",
    describe: "web-form submissions per minute per address (0: no limit)",
    default: "10",
    parse: int(0, 1_000_000),
  },
  publicUrl: {
    env: "OTKLIK_PUBLIC_URL",
    describe: "address applicants use to reach Otklik (for tracking links)",
    parse: url(["http:", "https:"]),
  },
  smtpRelay: {
    env: "OTKLIK_SMTP_RELAY",
    describe: "outbound mail relay smtp://host:port (otherwise the outbox folder)",
    parse: url(["smtp:", "smtps:"]),
  },
  supportAddress: {
    env: "OTKLIK_SUPPORT_ADDRESS",
    describe: "the support mailbox address (intake and From of replies)",
    default: "support@otklik.local",
    parse: text,
  },
  mailDomain: {
    env: "OTKLIK_MAIL_DOMAIN",
    describe: "domain of our Message-IDs (otherwise the support address's domain)",
    parse: (raw) => {
      if (!/^[a-z0-9.-]+$/i.test(raw)) throw new Error("имя домена без схемы и пути");
      return raw;
    },
  },
  smtpMaxBytes: {
    env: "OTKLIK_SMTP_MAX_BYTES",
    describe: "largest letter the SMTP intake accepts, bytes (larger: 552)",
    default: String(25 * 1024 * 1024),
    parse: int(1024, 1024 * 1024 * 1024),
  },
  smtpMaxSessions: {
    env: "OTKLIK_SMTP_MAX_SESSIONS",
    describe: "SMTP sessions open at once, all clients together (more: 421)",
    default: "200",
    parse: int(1, 100_000),
  },
  smtpMaxSessionsPerAddress: {
    env: "OTKLIK_SMTP_MAX_SESSIONS_PER_ADDRESS",
    describe: "SMTP sessions open at once from one client address (more: 421)",
    default: "20",
    parse: int(1, 100_000),
  },
  smtpIdleMinutes: {
    env: "OTKLIK_SMTP_IDLE_MINUTES",
    describe:
      "minutes an SMTP session may go without delivering a letter before it is closed with 421 (NOOP does not count)",
    default: "5",
    parse: int(1, 24 * 60),
  },
  imapUrl: {
    env: "OTKLIK_IMAP_URL",
    describe: "imaps://user:password@host/INBOX: poll an existing mailbox",
    parse: url(["imap:", "imaps:"]),
  },
  emailAckLimit: {
    env: "OTKLIK_EMAIL_ACK_LIMIT",
    describe: "automatic acknowledgements per sender per hour (stops mail loops)",
    default: "5",
    parse: int(1, 10_000),
  },
  maxAttachmentBytes: {
    env: "OTKLIK_MAX_ATTACHMENT_BYTES",
    describe: "largest attachment accepted, bytes",
    default: String(10 * 1024 * 1024),
    parse: int(1024, 1024 * 1024 * 1024),
  },
  maxAttachments: {
    env: "OTKLIK_MAX_ATTACHMENTS",
    describe: "attachments per message",
    default: "5",
    parse: int(0, 50),
  },
  logLevel: {
    env: "OTKLIK_LOG_LEVEL",
    describe: "fatal, error, warn, info, debug or silent",
    default: "info",
    parse: text,
  },
  chatMaxPerOperator: {
    env: "OTKLIK_CHAT_MAX_PER_OPERATOR",
    describe: "chats one operator holds at once",
    default: "3",
    parse: int(1, 50),
  },
  chatMaxFileMb: {
    env: "OTKLIK_CHAT_MAX_FILE_MB",
    describe: "largest image or PDF sent in a chat, MB (never above the attachment limit)",
    default: "10",
    parse: int(1, 100),
  },
  retentionRequestDays: {
    env: "OTKLIK_RETENTION_REQUEST_DAYS",
    describe: "days after resolution before a request's personal data (contacts, texts, files) is purged",
    default: "1095",
    parse: int(1, 36500),
  },
  retentionRawMailDays: {
    env: "OTKLIK_RETENTION_RAW_MAIL_DAYS",
    describe: "days a received letter is kept as raw bytes",
    default: "180",
    parse: int(1, 36500),
  },
  retentionAuditDays: {
    env: "OTKLIK_RETENTION_AUDIT_DAYS",
    describe: "days the audit log of personal-data access is kept",
    default: "1825",
    parse: int(30, 36500),
  },
  trustProxy: {
    env: "OTKLIK_TRUST_PROXY",
    describe: "trust X-Forwarded-* from a proxy in front",
    default: "false",
    parse: bool,
  },
  metricsPort: {
    env: "OTKLIK_METRICS_PORT",
    describe: "port of a listener of its own that serves Prometheus metrics at /metrics (otherwise none)",
    parse: int(0, 65535),
  },
  metricsHost: {
    env: "OTKLIK_METRICS_HOST",
    describe: "address the metrics listener binds to",
    default: "127.0.0.1",
    parse: text,
  },
  auditCheckpointMinutes: {
    env: "OTKLIK_AUDIT_CHECKPOINT_MINUTES",
    describe:
      "minutes between signed checkpoints of the audit log written to the log (also at start and stop; 0: only then)",
    default: "60",
    parse: int(0, 7 * 24 * 60),
  },
  phoneSecret: {
    env: "OTKLIK_PHONE_SECRET",
    describe: "shared secret of the PBX: call events and IVR requests are refused without it",
    parse: (raw) => {
      if (raw.length < 16) throw new Error("не короче 16 символов");
      return raw;
    },
  },
  callbackWindowMinutes: {
    env: "OTKLIK_CALLBACK_WINDOW_MINUTES",
    describe: "a caller ringing back within this many minutes of a dropped call continues the same request",
    default: "30",
    parse: int(0, 24 * 60),
  },
  phoneQueueMaxWaiting: {
    env: "OTKLIK_PHONE_QUEUE_MAX_WAITING",
    describe: "calls waiting in a line's queue past which callers are offered the reserve line or a call-back",
    default: "20",
    parse: int(1, 100_000),
  },
  phoneQueueMaxWaitSeconds: {
    env: "OTKLIK_PHONE_QUEUE_MAX_WAIT_SECONDS",
    describe: "longest wait in a line's queue, seconds, past which the same offer is made",
    default: "300",
    parse: int(1, 86_400),
  },
  portalUrl: {
    env: "OTKLIK_PORTAL_URL",
    describe: "https://… of a real portal's operator API (otherwise the built-in registry)",
    parse: url(["http:", "https:"]),
  },
  portalToken: {
    env: "OTKLIK_PORTAL_TOKEN",
    describe: "bearer token Otklik presents to the portal's operator API",
    parse: text,
  },
  dataKeys: {
    env: "OTKLIK_DATA_KEYS",
    describe:
      "keys that encrypt personal data, «k2:<base64 32 bytes>,k1:<…>», the first is current (otherwise the published development key: a warning at every start, refused in production or behind https)",
    parse: parseDataKeys,
  },
  indexKey: {
    env: "OTKLIK_INDEX_KEY",
    describe:
      "key of the blind index that looks encrypted contacts up and of the tracking links of retried submissions, base64 32 bytes (otherwise a development key)",
    parse: decodeKey,
  },
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS)) {
    const raw = env[s.env] ?? s.default;
    if (raw === undefined || raw === "") {
      out[key] = undefined;
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (e) {
      throw new ConfigError(`Настройка ${s.env}: ожидается ${(e as Error).message}`);
    }
  }
  const config = { ...(out as Config), ...overrides };
  config.publicUrl ??= `http://${config.host}:${config.port}`;
  return config;
}
