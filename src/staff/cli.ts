import { parseArgs } from "node:util";
import { cliMain, withDatabase } from "../cli/database.ts";
import { DEPARTMENTS } from "../routing/departments.ts";
import { createUser, ensureDepartments } from "./service.ts";

const USAGE =
  "otklik user add --email E --role operator|specialist|supervisor|administrator --password P [--name N] [--department код]";

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      department: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (command !== "add" || !values.email || !values.role || !values.password) {
    process.stderr.write(`Использование: ${USAGE}\n`);
    return 2;
  }
  return cliMain(values.json!, () =>
    withDatabase(async ({ db }) => {
      await ensureDepartments(db, [...DEPARTMENTS]);
      const user = await createUser(db, {
        email: values.email!,
        role: values.role!,
        password: values.password!,
        name: values.name,
        department: values.department,
      });
      return values.json ? user : `Сотрудник ${user.email} (${user.role}) создан.`;
    }),
  );
}
