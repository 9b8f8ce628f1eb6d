import { parseArgs } from "node:util";
import { cliMain, withDatabase } from "../cli/database.ts";
import { DEPARTMENTS } from "../routing/departments.ts";
import { findAccountByEmail, setActive } from "./accounts.ts";
import { createUser, ensureDepartments } from "./service.ts";

const USAGE = [
  "otklik user add --email E --role operator|specialist|supervisor|administrator --password P [--name N] [--department код]",
  "otklik user deactivate --email E",
  "otklik user activate --email E",
].join("\n");

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
  if ((command === "deactivate" || command === "activate") && values.email) {
    const active = command === "activate";
    return cliMain(values.json!, () =>
      withDatabase(async ({ db }) => {
        const user = await findAccountByEmail(db, values.email!);
        const after = await setActive(db, user.id, active, { cli: true });
        if (values.json) return after;
        return active
          ? `Сотрудник ${after.email} снова может входить.`
          : `Сотрудник ${after.email} отключён: сессии завершены, токены отозваны, вход запрещён.`;
      }),
    );
  }
  if (command !== "add" || !values.email || !values.role || !values.password) {
    process.stderr.write(`Использование:\n${USAGE}\n`);
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
