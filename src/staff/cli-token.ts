// `npx otklik token create|list|revoke`: API tokens from the command line (each change in the audit log, actor «cli»).
import { parseArgs } from "node:util";
import { CliError, cliMain, withDatabase } from "../cli/database.ts";
import { findAccountByEmail } from "./accounts.ts";
import { createApiToken, findTokenId, listTokens, revokeToken } from "./api-tokens.ts";

const USAGE = [
  "otklik token create --email E [--name назначение]",
  "otklik token list --email E",
  "otklik token revoke <номер или начало токена>",
].join("\n");

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "—");

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nИспользование:\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const json = values.json!;
  if (command === "create" && values.email) {
    return cliMain(json, () =>
      withDatabase(async ({ db }) => {
        const token = await createApiToken(db, values.email!, values.name ?? "cli");
        // The token itself is the output (stored only as a hash, it cannot be shown again).
        return json ? { token } : token;
      }),
    );
  }
  if (command === "list" && values.email) {
    return cliMain(json, () =>
      withDatabase(async ({ db }) => {
        const user = await findAccountByEmail(db, values.email!);
        const tokens = await listTokens(db, user.id);
        if (json) return tokens;
        if (tokens.length === 0) return `У сотрудника ${user.email} нет токенов.`;
        const lines = tokens.map((t) =>
          [
            String(t.id).padStart(5),
            (t.prefix ?? "—").padEnd(12),
            t.revokedAt ? `отозван ${when(t.revokedAt)}` : "действует".padEnd(24),
            `создан ${when(t.createdAt)}`,
            `использован ${when(t.lastUsedAt)}`,
            t.name,
          ].join("  "),
        );
        return [`Токены ${user.email} (номер, начало, состояние, даты UTC, назначение):`, ...lines].join("\n");
      }),
    );
  }
  if (command === "revoke" && positionals.length === 1) {
    return cliMain(json, () =>
      withDatabase(async ({ db }) => {
        const id = await findTokenId(db, positionals[0]!);
        await revokeToken(db, id, { cli: true });
        return json ? { revoked: id } : `Токен ${id} отозван: следующий запрос с ним получит отказ.`;
      }),
    );
  }
  process.stderr.write(`Использование:\n${USAGE}\n`);
  return 2;
}

function parse(args: string[]) {
  const out = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (out.positionals.length > 1) throw new CliError("Укажите один токен.");
  return out;
}
