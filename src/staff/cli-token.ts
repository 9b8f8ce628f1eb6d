import { parseArgs } from "node:util";
import { cliMain, withDatabase } from "../cli/database.ts";
import { createApiToken } from "./service.ts";

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (command !== "create" || !values.email) {
    process.stderr.write("Использование: otklik token create --email E [--name назначение]\n");
    return 2;
  }
  return cliMain(values.json!, () =>
    withDatabase(async ({ db }) => {
      const token = await createApiToken(db, values.email!, values.name ?? "cli");
      // The token itself is the output (stored only as a hash, it cannot be shown again).
      return values.json ? { token } : token;
    }),
  );
}
