// The built-in registry: accounts and applications in Otklik's own tables, filled with demo data on first start
// and by the administrator's import.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { blindIndex } from "../security/sealed.ts";
import {
  type ApplicationStatus,
  type PortalAccount,
  type PortalApplication,
  type PortalConnector,
  PortalError,
} from "./connector.ts";
import { portalAccounts, portalApplications } from "./db-schema.ts";

type AccountRow = typeof portalAccounts.$inferSelect;

const toAccount = (r: AccountRow): PortalAccount => ({
  id: r.id,
  fullName: r.fullName,
  phone: r.phone,
  snils: r.snils,
  inn: r.inn,
  locked: r.locked,
});

export class BuiltinPortal implements PortalConnector {
  readonly name = "builtin" as const;
  constructor(private readonly db: Db) {}

  async findAccount(by: { phone?: string; snils?: string }) {
    // Phone and СНИЛС are encrypted: the account is found by their blind indexes.
    const where = by.phone
      ? eq(portalAccounts.phoneHash, blindIndex("phone", by.phone) ?? "")
      : eq(portalAccounts.snilsHash, blindIndex("identifier", by.snils) ?? "");
    const [row] = await this.db.select().from(portalAccounts).where(where).limit(1);
    return row ? toAccount(row) : null;
  }

  async applicationStatus(number: string): Promise<PortalApplication | null> {
    const [row] = await this.db.select().from(portalApplications).where(eq(portalApplications.number, number));
    if (!row) return null;
    return {
      number: row.number,
      accountId: row.accountId,
      service: row.service,
      status: row.status as ApplicationStatus,
      submittedAt: row.submittedAt.toISOString(),
    };
  }

  private async account(id: string): Promise<AccountRow> {
    const [row] = await this.db.select().from(portalAccounts).where(eq(portalAccounts.id, id));
    if (!row) throw new PortalError("account_not_found", "Учётная запись на портале не найдена.");
    return row;
  }

  async resendCode(accountId: string) {
    const row = await this.account(accountId);
    await this.db.update(portalAccounts).set({ codeSentAt: new Date() }).where(eq(portalAccounts.id, accountId));
    return { sentTo: row.phone };
  }

  async unlockAccount(accountId: string) {
    const row = await this.account(accountId);
    await this.db
      .update(portalAccounts)
      .set({ locked: false, updatedAt: new Date() })
      .where(eq(portalAccounts.id, accountId));
    return { wasLocked: row.locked };
  }

  async changePhone(accountId: string, phone: string) {
    await this.account(accountId);
    await this.db
      .update(portalAccounts)
      .set({ phone, phoneHash: blindIndex("phone", phone), updatedAt: new Date() })
      .where(eq(portalAccounts.id, accountId));
  }
}
