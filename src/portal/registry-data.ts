// The built-in registry's data: the demo accounts and applications loaded on first start, and the
// administrator's import (validated: phones to E.164, СНИЛС by its checksum, statuses from the list).
import { count, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { normalizePhone } from "../requests/contact.ts";
import { blindIndex } from "../security/sealed.ts";
import { snilsCheckDigits, validateSnils } from "../verification/identifiers.ts";
import { APPLICATION_STATUSES, type ApplicationStatus } from "./connector.ts";
import { portalAccounts, portalApplications } from "./db-schema.ts";

export type ImportAccount = { id: string; fullName: string; phone?: string; snils?: string; locked?: boolean };
export type ImportApplication = {
  number: string;
  accountId?: string;
  service: string;
  status: string;
  submittedAt: string;
};

const snils = (body: string) => `${body}${snilsCheckDigits(body)}`;

// Invented people: the numbers are of the 900 range reserved for fiction, the СНИЛС checksums are real.
export const DEMO_ACCOUNTS: ImportAccount[] = [
  { id: "demo-1001", fullName: "Иванов Иван Иванович", phone: "+79001234567", snils: snils("112233445") },
  {
    id: "demo-1002",
    fullName: "Петрова Анна Сергеевна",
    phone: "+79007654321",
    snils: snils("223344556"),
    locked: true,
  },
  { id: "demo-1003", fullName: "Сидоров Пётр Николаевич", phone: "+79001112233", snils: snils("334455667") },
];

export const DEMO_APPLICATIONS: ImportApplication[] = [
  {
    number: "1000000001",
    accountId: "demo-1001",
    service: "Замена паспорта РФ",
    status: "in_processing",
    submittedAt: "2026-11-02T09:00:00Z",
  },
  {
    number: "1000000002",
    accountId: "demo-1001",
    service: "Регистрация по месту жительства",
    status: "approved",
    submittedAt: "2026-10-20T12:30:00Z",
  },
  {
    number: "1000000003",
    accountId: "demo-1002",
    service: "Получение загранпаспорта",
    status: "rejected",
    submittedAt: "2026-09-14T08:15:00Z",
  },
  {
    number: "1000000004",
    accountId: "demo-1003",
    service: "Оформление пособия",
    status: "documents_required",
    submittedAt: "2026-11-10T10:45:00Z",
  },
];

export async function seedRegistryIfEmpty(db: Db) {
  const [n] = await db.select({ n: count() }).from(portalAccounts);
  if ((n?.n ?? 0) > 0) return;
  await importRegistry(db, { accounts: DEMO_ACCOUNTS, applications: DEMO_APPLICATIONS });
}

export async function importRegistry(
  db: Db,
  input: { accounts?: ImportAccount[]; applications?: ImportApplication[] },
): Promise<{ accounts: number; applications: number }> {
  const accounts = (input.accounts ?? []).map((a, i) => {
    const phone = a.phone ? normalizePhone(a.phone) : null;
    if (a.phone && !phone) throw errors.validation(`Учётная запись №${i + 1} (${a.id}): телефон записан с ошибкой.`);
    const check = a.snils ? validateSnils(a.snils) : null;
    if (check && !check.valid)
      throw errors.validation(`Учётная запись №${i + 1} (${a.id}): СНИЛС не проходит проверку.`);
    const snils = check?.normalized ?? null;
    return {
      id: a.id,
      fullName: a.fullName,
      phone,
      phoneHash: blindIndex("phone", phone),
      snils,
      snilsHash: blindIndex("identifier", snils),
      locked: a.locked ?? false,
    };
  });
  const applications = (input.applications ?? []).map((a, i) => {
    if (!APPLICATION_STATUSES.includes(a.status as ApplicationStatus)) {
      throw errors.validation(
        `Заявление №${i + 1} (${a.number}): неизвестный статус «${a.status}»; допустимы ${APPLICATION_STATUSES.join(", ")}.`,
      );
    }
    const submittedAt = new Date(a.submittedAt);
    if (Number.isNaN(submittedAt.getTime()))
      throw errors.validation(`Заявление №${i + 1} (${a.number}): неверная дата подачи.`);
    return { number: a.number, accountId: a.accountId ?? null, service: a.service, status: a.status, submittedAt };
  });
  await db.transaction(async (tx) => {
    for (const a of accounts) {
      await tx
        .insert(portalAccounts)
        .values(a)
        .onConflictDoUpdate({
          target: portalAccounts.id,
          set: {
            fullName: a.fullName,
            phone: a.phone,
            phoneHash: a.phoneHash,
            snils: a.snils,
            snilsHash: a.snilsHash,
            locked: a.locked,
            updatedAt: sql`now()`,
          },
        });
    }
    for (const a of applications) {
      await tx
        .insert(portalApplications)
        .values(a)
        .onConflictDoUpdate({
          target: portalApplications.number,
          set: {
            accountId: a.accountId,
            service: a.service,
            status: a.status,
            submittedAt: a.submittedAt,
            updatedAt: sql`now()`,
          },
        });
    }
  });
  return { accounts: accounts.length, applications: applications.length };
}
