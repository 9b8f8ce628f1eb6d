// `npx otklik backup <folder>` and `npx otklik restore <folder>`: the database and the attachments in one folder.
// PostgreSQL: pg_dump in custom format of Otklik's schema, restored by pg_restore into an empty schema of the same
// name. Embedded PGlite: a tarball of its data folder (dumpDataDir), taken while no server holds the folder.
// The keys of OTKLIK_DATA_KEYS are never in a backup: the manifest names the key ids the data needs.
import { spawn } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { type Config, loadConfig } from "../config.ts";
import { type Db, MIGRATIONS_DIR, openDatabase } from "../db/client.ts";
import { lockFolder } from "../db/folder-lock.ts";
import { rowsOf } from "../db/outbox.ts";
import * as schema from "../db/schema.ts";
import { keyStatus } from "../security/rotate.ts";
import { loadKeyring } from "../security/start.ts";
import { CliError, cliMain } from "./database.ts";

export const MANIFEST = "otklik-backup.json";
const DUMP = "database.dump";
const TARBALL = "pgdata.tar.gz";
const ATTACHMENTS = "attachments";

export type BackupManifest = {
  format: 1;
  engine: "pglite" | "postgres";
  /** PostgreSQL: the schema the tables were dumped from (pg_restore puts them back under the same name). */
  schema: string;
  createdAt: string;
  /** Migrations applied to the data when it was copied. */
  migrations: number;
  attachments: { files: number; bytes: number };
  /** Stored personal values per key id (`plaintext` for values not yet sealed); the keys themselves are not here. */
  keys: Record<string, number>;
};

export type RestoreReport = BackupManifest & {
  /** Migrations this version of Otklik has that the restored data does not: `npx otklik migrate` applies them. */
  pendingMigrations: number;
};

type Settings = Pick<Config, "databaseUrl" | "dataDir" | "dataKeys" | "indexKey">;

/** A refusal with a stable code for programs and a Russian message for the operator. */
export class BackupError extends CliError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------- backup

export async function backup(config: Settings, target: string): Promise<BackupManifest> {
  await prepareEmpty(target, "backup_target_not_empty", `Папка ${target} не пуста: укажите новую или пустую папку.`);
  const written: string[] = [];
  try {
    const part = config.databaseUrl
      ? await dumpPostgres(config.databaseUrl, config.dataDir, target, written)
      : await dumpPglite(config.dataDir, target, written);
    const manifest: BackupManifest = { format: 1, createdAt: new Date().toISOString(), ...part };
    // Written last: a folder without the manifest is an unfinished copy, and restore refuses it.
    await writeFile(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } catch (e) {
    for (const p of written) await rm(p, { recursive: true, force: true });
    throw e;
  }
}

type Part = Omit<BackupManifest, "format" | "createdAt">;

async function dumpPostgres(url: string, dataDir: string, target: string, written: string[]): Promise<Part> {
  const schemaName = await currentSchema(url);
  const database = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let keys: Record<string, number>;
  let migrations: number;
  let stored: { files: number; bytes: number };
  try {
    migrations = await appliedMigrations(database.db, schemaName);
    keys = await keyStatus(database.db);
    stored = await filesInDatabase(database.db);
  } finally {
    await database.close();
  }
  const file = path.join(target, DUMP);
  written.push(file);
  // One snapshot of the whole schema; files are copied after it, so every file a dumped row names is there
  // (files are written before the row that names them and never change).
  const conn = connection(url);
  await runTool(
    "pg_dump",
    [
      "--format=custom",
      `--schema=${quoteIdent(schemaName)}`,
      "--no-owner",
      "--no-privileges",
      `--file=${file}`,
      ...conn.args,
    ],
    conn.env,
  );
  const onDisk = await copyFiles(path.join(dataDir, ATTACHMENTS), path.join(target, ATTACHMENTS), written);
  const attachments = { files: onDisk.files + stored.files, bytes: onDisk.bytes + stored.bytes };
  return { engine: "postgres", schema: schemaName, migrations, attachments, keys };
}

async function dumpPglite(dataDir: string, target: string, written: string[]): Promise<Part> {
  const pgdata = path.join(dataDir, "pgdata");
  if (!(await nonEmpty(pgdata))) {
    throw new BackupError("backup_no_database", `В папке данных ${dataDir} нет базы: проверьте OTKLIK_DATA_DIR.`);
  }
  const release = lockData(dataDir, "backup");
  try {
    const client = await PGlite.create({ dataDir: pgdata });
    let keys: Record<string, number>;
    let migrations: number;
    let tarball: Blob;
    let stored: { files: number; bytes: number };
    try {
      const db = drizzlePglite(client, { schema }) as unknown as Db;
      migrations = await appliedMigrations(db, "public");
      keys = await keyStatus(db);
      stored = await filesInDatabase(db);
      tarball = await client.dumpDataDir("gzip");
    } finally {
      await client.close();
    }
    const file = path.join(target, TARBALL);
    written.push(file);
    await writeFile(file, Buffer.from(await tarball.arrayBuffer()));
    // Still under the lock: no server can add a file or a row until the copy is whole.
    const onDisk = await copyFiles(path.join(dataDir, ATTACHMENTS), path.join(target, ATTACHMENTS), written);
    const attachments = { files: onDisk.files + stored.files, bytes: onDisk.bytes + stored.bytes };
    return { engine: "pglite", schema: "public", migrations, attachments, keys };
  } finally {
    release();
  }
}

// --------------------------------------------------------------------------------------------- restore

export async function restore(
  config: Settings,
  source: string,
  opts: { ignoreKeys?: boolean } = {},
): Promise<RestoreReport> {
  const manifest = await readManifest(source);
  const engine = config.databaseUrl ? "postgres" : "pglite";
  if (manifest.engine !== engine) {
    throw new BackupError(
      "backup_engine_mismatch",
      manifest.engine === "postgres"
        ? "Копия снята с PostgreSQL: задайте DATABASE_URL пустой базы, в которую её восстановить."
        : "Копия снята со встроенной базы: восстановите её без DATABASE_URL, в новую OTKLIK_DATA_DIR.",
    );
  }
  const known = await knownMigrations();
  if (manifest.migrations > known) {
    throw new BackupError(
      "backup_from_newer_version",
      `Копия снята более новой версией Otklik (миграций ${manifest.migrations}, в этой версии ${known}): обновите Otklik.`,
    );
  }
  checkKeys(config, manifest, opts.ignoreKeys === true);
  const data = path.join(source, manifest.engine === "postgres" ? DUMP : TARBALL);
  if (!(await exists(data))) {
    throw new BackupError("backup_incomplete", `В папке ${source} нет ${path.basename(data)}: копия неполна.`);
  }
  const attachmentsDir = path.join(config.dataDir, ATTACHMENTS);
  if (await nonEmpty(attachmentsDir)) {
    throw new BackupError(
      "restore_target_not_empty",
      `Папка вложений ${attachmentsDir} не пуста: восстанавливайте в новую OTKLIK_DATA_DIR.`,
    );
  }
  if (config.databaseUrl) await restorePostgres(config.databaseUrl, source, manifest);
  else await restorePglite(config.dataDir, source);
  await copyFiles(path.join(source, ATTACHMENTS), attachmentsDir, []);
  return { ...manifest, pendingMigrations: known - manifest.migrations };
}

async function restorePostgres(url: string, source: string, manifest: BackupManifest) {
  const target = await intendedSchema(url);
  if (target !== manifest.schema) {
    throw new BackupError(
      "backup_schema_mismatch",
      `Копия снята со схемы «${manifest.schema}», а DATABASE_URL ведёт в схему «${target}». pg_restore возвращает ` +
        `таблицы в схему с прежним именем: укажите её в search_path (например, в новой пустой базе).`,
    );
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query(
      `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p', 'S', 'v', 'm')`,
      [target],
    );
    if (Number(tables.rows[0]?.n) > 0) {
      throw new BackupError(
        "restore_target_not_empty",
        `В схеме «${target}» уже есть таблицы: восстанавливайте в пустую базу или схему.`,
      );
    }
    await client.query(`create schema if not exists ${quoteIdent(target)}`);
  } finally {
    await client.end();
  }
  // --schema restores the objects of the schema but not the schema itself (made above, so «public» works too);
  // one transaction: a failed restore leaves the schema as empty as it was.
  const conn = connection(url);
  await runTool(
    "pg_restore",
    [
      `--schema=${target}`,
      "--no-owner",
      "--no-privileges",
      "--single-transaction",
      "--exit-on-error",
      ...conn.args,
      path.join(source, DUMP),
    ],
    conn.env,
  );
}

async function restorePglite(dataDir: string, source: string) {
  const pgdata = path.join(dataDir, "pgdata");
  await mkdir(dataDir, { recursive: true });
  const release = lockData(dataDir, "restore");
  try {
    if (await nonEmpty(pgdata)) {
      throw new BackupError(
        "restore_target_not_empty",
        `В папке данных ${dataDir} уже есть база: восстанавливайте в новую OTKLIK_DATA_DIR.`,
      );
    }
    const tarball = await readFile(path.join(source, TARBALL));
    const client = await PGlite.create({ dataDir: pgdata, loadDataDir: new Blob([tarball]) });
    try {
      await client.query("select 1");
    } finally {
      await client.close();
    }
  } catch (e) {
    if (!(e instanceof BackupError)) await rm(pgdata, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
}

/** Refuses a restore whose personal data would stay unreadable: every key id the data was under must be configured. */
function checkKeys(config: Settings, manifest: BackupManifest, ignore: boolean) {
  const ring = loadKeyring(config);
  const missing = Object.keys(manifest.keys).filter((id) => id !== "plaintext" && !ring.keys.has(id));
  if (missing.length === 0 || ignore) return;
  throw new BackupError(
    "restore_keys_missing",
    `Персональные данные в копии зашифрованы ключами ${missing.map((k) => `«${k}»`).join(", ")}, которых нет в ` +
      "OTKLIK_DATA_KEYS: без них контакты не прочитать. Задайте ключи, что были в работе, когда снималась копия " +
      "(или --ignore-keys, чтобы восстановить без них).",
  );
}

async function readManifest(source: string): Promise<BackupManifest> {
  let raw: string;
  try {
    raw = await readFile(path.join(source, MANIFEST), "utf8");
  } catch {
    throw new BackupError(
      "backup_incomplete",
      `В папке ${source} нет ${MANIFEST}: это не копия Otklik или она не была закончена.`,
    );
  }
  let m: BackupManifest;
  try {
    m = JSON.parse(raw) as BackupManifest;
  } catch {
    throw new BackupError("backup_incomplete", `${MANIFEST} в папке ${source} повреждён.`);
  }
  if (m.format !== 1)
    throw new BackupError("backup_format_unknown", `Формат копии ${m.format} не известен этой версии.`);
  return m;
}

// ------------------------------------------------------------------------------------------------ parts

async function knownMigrations(): Promise<number> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8"));
  return (journal.entries as unknown[]).length;
}

/** Attachments kept in the database (the default store): they travel in the dump, and the manifest counts them. */
async function filesInDatabase(db: Db): Promise<{ files: number; bytes: number }> {
  const [row] = rowsOf<{ files: number; bytes: string | number }>(
    await db.execute(
      sql`select count(distinct file_id)::int as files, coalesce(sum(octet_length(data)), 0)::bigint as bytes from file_chunks`,
    ),
  );
  return { files: row?.files ?? 0, bytes: Number(row?.bytes ?? 0) };
}

async function appliedMigrations(db: Db, schemaName: string): Promise<number> {
  const r = await db.execute(
    sql.raw(`select count(*)::int as n from ${quoteIdent(schemaName)}."__drizzle_migrations"`),
  );
  return Number(rowsOf<{ n: number }>(r)[0]?.n ?? 0);
}

/** The schema the connection's tables live in; refuses a URL whose schema holds no Otklik tables. */
async function currentSchema(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((e: Error) => {
    throw new BackupError("database_unreachable", `Нет связи с PostgreSQL: ${e.message}`);
  });
  try {
    const r = await client.query("select current_schema() as s, to_regclass('__drizzle_migrations') is not null as ok");
    const s = r.rows[0]?.s as string | null;
    if (!s || !r.rows[0]?.ok) {
      throw new BackupError(
        "backup_no_database",
        "В базе DATABASE_URL нет таблиц Otklik: проверьте адрес и search_path.",
      );
    }
    return s;
  } finally {
    await client.end();
  }
}

/** The schema a connection would put tables into: the first of its search_path (which may not exist yet). */
async function intendedSchema(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((e: Error) => {
    throw new BackupError("database_unreachable", `Нет связи с PostgreSQL: ${e.message}`);
  });
  try {
    const r = await client.query(
      "select current_setting('search_path') as path, current_user as u, current_schema() as s",
    );
    const row = r.rows[0] as { path: string; u: string; s: string | null };
    if (row.s) return row.s;
    const first = row.path
      .split(",")
      .map((p) => p.trim().replace(/^"(.*)"$/, "$1"))
      .find((p) => p && p !== "$user");
    return first ?? "public";
  } finally {
    await client.end();
  }
}

/** Arguments for pg_dump/pg_restore: the password goes through the environment, not the process list. */
function connection(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = "";
  // libpq reads the query the way node-pg does except for a few spellings: `+` is not a space to it, `ssl=true`
  // and `sslmode=no-verify` are node-pg's own.
  const params = new Map(u.searchParams);
  if (params.get("sslmode") === "no-verify") params.set("sslmode", "require");
  if (params.has("ssl")) {
    if (params.get("ssl") !== "false" && params.get("ssl") !== "0" && !params.has("sslmode"))
      params.set("sslmode", "require");
    params.delete("ssl");
  }
  u.search = [...params].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return { args: [`--dbname=${u.toString()}`], env };
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "ENOENT"
          ? new BackupError(
              "pg_tools_missing",
              `Не найден ${tool}: установите клиент PostgreSQL той же или более новой версии, что сервер (postgresql-client-15).`,
            )
          : e,
      ),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError(`${tool.replace("pg_", "")}_failed`, `${tool} завершился с ошибкой: ${err.trim()}`)),
    );
  });
}

function lockData(dataDir: string, what: "backup" | "restore"): () => void {
  try {
    return lockFolder(path.join(dataDir, "pgdata.lock"));
  } catch {
    throw new BackupError(
      "data_dir_in_use",
      `Папка данных ${dataDir} открыта работающим Otklik: остановите его, ${what === "backup" ? "снимите копию" : "восстановите"} и запустите снова.`,
    );
  }
}

/** Copies the attachments (files still being written, `*.part`, are skipped); counts what was copied. */
async function copyFiles(from: string, to: string, written: string[]) {
  const out = { files: 0, bytes: 0 };
  if (!(await exists(from))) {
    await mkdir(to, { recursive: true });
    written.push(to);
    return out;
  }
  written.push(to);
  await cp(from, to, { recursive: true, errorOnExist: true, force: false, filter: (p) => !p.endsWith(".part") });
  for (const entry of await readdir(to, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    out.files++;
    out.bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return out;
}

async function prepareEmpty(dir: string, code: string, message: string) {
  if (await nonEmpty(dir)) throw new BackupError(code, message);
  await mkdir(dir, { recursive: true });
}

async function nonEmpty(dir: string) {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

async function exists(p: string) {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function quoteIdent(name: string) {
  return `"${name.replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------- commands

function folderArg(argv: string[], usage: string): string {
  const [folder, extra] = argv.filter((a) => !a.startsWith("--"));
  if (!folder || extra) throw new BackupError("usage", usage);
  return path.resolve(folder);
}

function describe(m: BackupManifest) {
  const keys = Object.keys(m.keys).filter((k) => k !== "plaintext");
  return [
    `база: ${m.engine === "postgres" ? `PostgreSQL, схема «${m.schema}»` : "встроенная (PGlite)"}, миграций ${m.migrations}`,
    `вложений: ${m.attachments.files} (${(m.attachments.bytes / 1024 / 1024).toFixed(1)} МБ)`,
    keys.length
      ? `персональные данные под ключами ${keys.map((k) => `«${k}»`).join(", ")}: сами ключи в копию не входят, храните их отдельно`
      : "зашифрованных персональных данных нет",
  ];
}

export async function runBackup(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, async () => {
    const target = folderArg(argv, "Использование: otklik backup <папка> — копия базы и вложений в новую папку");
    const config = loadConfig();
    const m = await backup(config, target);
    return json ? m : [`Копия записана в ${target}:`, ...describe(m).map((l) => `  ${l}`)].join("\n");
  });
}

export async function runRestore(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, async () => {
    const source = folderArg(
      argv,
      "Использование: otklik restore <папка> [--ignore-keys] — восстановить копию в пустую базу и новую OTKLIK_DATA_DIR",
    );
    const config = loadConfig();
    const r = await restore(config, source, { ignoreKeys: argv.includes("--ignore-keys") });
    if (json) return r;
    return [
      `Копия от ${r.createdAt} восстановлена:`,
      ...describe(r).map((l) => `  ${l}`),
      r.pendingMigrations > 0
        ? `Данные старше этой версии на ${r.pendingMigrations} миграций: выполните npx otklik migrate (или запустите сервер).`
        : "Схема данных совпадает с этой версией: можно запускать сервер.",
    ].join("\n");
  });
}
