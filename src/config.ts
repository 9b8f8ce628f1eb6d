// Every setting of Otklik, declared once and validated at start: a bad value stops the process with its name.
import path from "node:path";
import { type DataKey, decodeKey, parseDataKeys } from "./security/keys.ts";
import { parseRoleMap, type RoleMapEntry } from "./staff/oidc-roles.ts";

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
  notifyHourlyLimit: number;
  smsUrl: string | undefined;
  smsToken: string | undefined;
  smsSender: string | undefined;
  telegramToken: string | undefined;
  telegramApi: string;
  vkGroupId: number | undefined;
  vkToken: string | undefined;
  vkSecret: string | undefined;
  vkConfirmation: string | undefined;
  vkApi: string;
  maxBotToken: string | undefined;
  maxBotApi: string;
  maxBotSecret: string | undefined;
  maxAttachmentBytes: number;
  files: "database" | "disk";
  maxAttachments: number;
  logLevel: string;
  trustProxy: boolean;
  metricsPort: number | undefined;
  shutdownSeconds: number;
  jobsDeferMs: number;
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
  slaSweepSeconds: number;
  workers: number;
  phoneQueueMaxWaitSeconds: number;
  portalUrl: string | undefined;
  portalToken: string | undefined;
  webhookAllowLoopback: boolean;
  webhookAllowHosts: string[];
  dataKeys: DataKey[] | undefined;
  indexKey: Buffer | undefined;
  oidcIssuer: string | undefined;
  oidcClientId: string | undefined;
  oidcClientSecret: string | undefined;
  oidcScopes: string;
  oidcRoleClaim: string;
  oidcRoleMap: RoleMapEntry[];
  passwordLogin: "on" | "off";
  breakGlassEmail: string | undefined;
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
const hostList = (raw: string) => {
  const list = raw
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of list) {
    if (!/^[a-z0-9.\-:]+(?:\/\d{1,3})?$/.test(h)) throw new Error("имена хостов, адреса или сети CIDR через запятую");
  }
  return list;
};
const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string): T => {
    if (!(values as string[]).includes(raw)) throw new Error(values.join(" или "));
    return raw as T;
  };
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
  notifyHourlyLimit: {
    env: "OTKLIK_NOTIFY_HOURLY_LIMIT",
    describe:
      "notifications per applicant's address or number per hour; the registration and the resolution go regardless",
    default: "6",
    parse: int(1, 1000),
  },
  smsUrl: {
    env: "OTKLIK_SMS_URL",
    describe: "SMS gateway endpoint https://… taking a JSON POST (otherwise SMS are only logged)",
    parse: url(["http:", "https:"]),
  },
  smsToken: {
    env: "OTKLIK_SMS_TOKEN",
    describe: "bearer token of the SMS gateway (required with OTKLIK_SMS_URL)",
    parse: text,
  },
  smsSender: {
    env: "OTKLIK_SMS_SENDER",
    describe: "sender name registered with the SMS provider",
    parse: (raw) => {
      if (!/^[A-Za-z0-9 .-]{1,11}$/.test(raw)) throw new Error("имя отправителя: до 11 латинских букв и цифр");
      return raw;
    },
  },
  telegramToken: {
    env: "OTKLIK_TELEGRAM_TOKEN",
    describe: "token of the Telegram bot from @BotFather: turns the Telegram channel on",
    parse: (raw) => {
      if (!/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/.test(raw)) throw new Error("токен бота вида 123456789:AA… от @BotFather");
      return raw;
    },
  },
  telegramApi: {
    env: "OTKLIK_TELEGRAM_API",
    describe: "base address of the Telegram Bot API (a local Bot API server, or a stand-in in tests)",
    default: "https://api.telegram.org",
    parse: (raw) => url(["http:", "https:"])(raw).replace(/\/+$/, ""),
  },
  vkGroupId: {
    env: "OTKLIK_VK_GROUP_ID",
    describe: "id of the VK community whose messages Otklik answers (digits, without the minus)",
    parse: int(1, 2_000_000_000),
  },
  vkToken: {
    env: "OTKLIK_VK_TOKEN",
    describe: "the VK community's access token with the rights to messages, photos and documents",
    parse: (raw) => {
      if (!/^[A-Za-z0-9._-]{20,400}$/.test(raw)) throw new Error("ключ доступа сообщества ВКонтакте");
      return raw;
    },
  },
  vkSecret: {
    env: "OTKLIK_VK_SECRET",
    describe: "the secret key of the community's Callback API server: VK sends it with every event",
    parse: (raw) => {
      if (!/^[A-Za-z0-9]{8,50}$/.test(raw)) throw new Error("секретный ключ из 8–50 латинских букв и цифр");
      return raw;
    },
  },
  vkConfirmation: {
    env: "OTKLIK_VK_CONFIRMATION",
    describe: "the string the community's Callback API server must return to confirm its address",
    parse: (raw) => {
      if (!/^[A-Za-z0-9]{1,64}$/.test(raw)) throw new Error("строка подтверждения из настроек Callback API");
      return raw;
    },
  },
  vkApi: {
    env: "OTKLIK_VK_API",
    describe: "base address of the VK API methods (a stand-in in tests)",
    default: "https://api.vk.com/method",
    parse: (raw) => url(["http:", "https:"])(raw).replace(/\/+$/, ""),
  },
  maxBotToken: {
    env: "OTKLIK_MAX_TOKEN",
    describe: "token of the MAX bot from business.max.ru («Чат-боты» → «Интеграция»): turns the MAX channel on",
    parse: (raw) => {
      if (!/^[A-Za-z0-9_.:=+/-]{16,512}$/.test(raw)) throw new Error("токен бота MAX из раздела «Интеграция»");
      return raw;
    },
  },
  maxBotApi: {
    env: "OTKLIK_MAX_API",
    describe: "base address of the MAX Bot API (a stand-in in tests)",
    default: "https://platform-api2.max.ru",
    parse: (raw) => url(["http:", "https:"])(raw).replace(/\/+$/, ""),
  },
  maxBotSecret: {
    env: "OTKLIK_MAX_SECRET",
    describe:
      "the secret MAX sends back in X-Max-Bot-Api-Secret with each webhook call (derived from the token when unset)",
    parse: (raw) => {
      if (!/^[A-Za-z0-9_-]{5,256}$/.test(raw)) throw new Error("секрет из 5–256 латинских букв, цифр, «_» и «-»");
      return raw;
    },
  },
  maxAttachmentBytes: {
    env: "OTKLIK_MAX_ATTACHMENT_BYTES",
    describe: "largest attachment accepted, bytes",
    default: String(10 * 1024 * 1024),
    parse: int(1024, 1024 * 1024 * 1024),
  },
  files: {
    env: "OTKLIK_FILES",
    describe:
      "where attachments are kept: database (every process on the database serves every file; backups carry them) or disk (the data folder)",
    default: "database",
    parse: oneOf("database", "disk"),
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
  shutdownSeconds: {
    env: "OTKLIK_SHUTDOWN_SECONDS",
    describe:
      "seconds a stopping process gives open requests, live streams, chats and SMTP sessions to finish before it closes them",
    default: "20",
    parse: int(1, 600),
  },
  jobsDeferMs: {
    env: "OTKLIK_JOBS_DEFER_MS",
    describe:
      "milliseconds background jobs (letters, messenger replies, webhooks) at most give way to a burst of HTTP requests (80 a second or more) before they take their turn again (0: never)",
    default: "3000",
    parse: int(0, 60_000),
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
  slaSweepSeconds: {
    env: "OTKLIK_SLA_SWEEP_SECONDS",
    describe: "how often this process sweeps for SLA escalations and re-check dates, seconds (0: never)",
    default: "30",
    parse: int(0, 3600),
  },
  workers: {
    env: "OTKLIK_WORKERS",
    describe:
      "server processes `otklik serve` starts on this machine behind the same ports (node:cluster; more than one only with PostgreSQL)",
    default: "1",
    parse: int(1, 64),
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
  webhookAllowLoopback: {
    env: "OTKLIK_WEBHOOK_ALLOW_LOOPBACK",
    describe:
      "let webhooks go to this machine's loopback addresses, over plain http too (tests, a receiver on the host)",
    default: "false",
    parse: bool,
  },
  webhookAllowHosts: {
    env: "OTKLIK_WEBHOOK_ALLOW_HOSTS",
    describe: "host names, addresses and CIDR ranges in a private network webhooks may go to, comma-separated",
    parse: hostList,
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
      "key of the blind index that looks encrypted contacts up, of the tracking links of retried submissions and of the unsubscribe links, base64 32 bytes (otherwise a development key)",
    parse: decodeKey,
  },
  oidcIssuer: {
    env: "OTKLIK_OIDC_ISSUER",
    describe:
      "issuer of the organisation's OpenID Connect provider (https://…; http only on a loopback address): staff single sign-on",
    parse: (raw) => {
      const u = new URL(raw);
      const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
      if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
        throw new Error("адрес https:// (http:// только для localhost)");
      }
      return raw;
    },
  },
  oidcClientId: {
    env: "OTKLIK_OIDC_CLIENT_ID",
    describe: "client id Otklik is registered under at the OpenID Connect provider",
    parse: text,
  },
  oidcClientSecret: {
    env: "OTKLIK_OIDC_CLIENT_SECRET",
    describe: "client secret of that registration (without it Otklik signs in as a public client, PKCE only)",
    parse: text,
  },
  oidcScopes: {
    env: "OTKLIK_OIDC_SCOPES",
    describe: "scopes asked of the provider, separated by spaces (openid is always among them)",
    default: "openid email profile",
    parse: (raw) => {
      const scopes = raw.split(/\s+/).filter(Boolean);
      if (!scopes.includes("openid")) scopes.unshift("openid");
      return scopes.join(" ");
    },
  },
  oidcRoleClaim: {
    env: "OTKLIK_OIDC_ROLE_CLAIM",
    describe:
      "claim that carries the employee's roles or groups; a dotted path reaches inside objects (realm_access.roles)",
    default: "roles",
    parse: (raw) => {
      if (!/^[\w:/.-]+$/.test(raw)) throw new Error("имя утверждения (claim) без пробелов");
      return raw;
    },
  },
  oidcRoleMap: {
    env: "OTKLIK_OIDC_ROLE_MAP",
    describe:
      'JSON: value of the role claim → Otklik role and department, {"otklik-admins": "administrator", "it-support": {"role": "specialist", "department": "technical"}}',
    default: "{}",
    parse: parseRoleMap,
  },
  passwordLogin: {
    env: "OTKLIK_PASSWORD_LOGIN",
    describe: "on, or off: only single sign-on, except for the break-glass administrator",
    default: "on",
    parse: oneOf("on", "off"),
  },
  breakGlassEmail: {
    env: "OTKLIK_BREAK_GLASS_EMAIL",
    describe: "e-mail of the one administrator who may still sign in with a password when password sign-in is off",
    parse: (raw) => {
      const email = raw.trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error("адрес электронной почты");
      return email;
    },
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
  config.webhookAllowHosts ??= [];
  if (config.oidcIssuer && !config.oidcClientId) {
    throw new ConfigError("Настройка OTKLIK_OIDC_CLIENT_ID: нужна вместе с OTKLIK_OIDC_ISSUER");
  }
  const vk = [config.vkGroupId, config.vkToken, config.vkSecret, config.vkConfirmation];
  if (vk.some((v) => v !== undefined) && vk.some((v) => v === undefined)) {
    throw new ConfigError(
      "Настройки OTKLIK_VK_GROUP_ID, OTKLIK_VK_TOKEN, OTKLIK_VK_SECRET и OTKLIK_VK_CONFIRMATION задаются вместе",
    );
  }
  if (config.maxBotSecret && !config.maxBotToken) {
    throw new ConfigError("Настройка OTKLIK_MAX_SECRET: нужна вместе с OTKLIK_MAX_TOKEN");
  }
  if (config.workers > 1 && !config.databaseUrl) {
    throw new ConfigError(
      "Настройка OTKLIK_WORKERS: несколько процессов работают только с PostgreSQL (DATABASE_URL) — встроенную базу открывает один процесс",
    );
  }
  if (config.passwordLogin === "off" && !config.oidcIssuer) {
    throw new ConfigError("Настройка OTKLIK_PASSWORD_LOGIN=off: без OTKLIK_OIDC_ISSUER сотрудникам нечем войти");
  }
  return config;
}
