// The operator's verification of a caller: the caller's answers, typed as said, are checked on the server — a
// citizen's against the portal account they name, identifiers by their checksums — and only which items held
// is recorded, with the account when they all did. A call allows a few failed attempts, then no more guessing.

import { and, count, eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { AppError } from "../../http/errors.ts";
import type { PortalConnector } from "../../portal/connector.ts";
import { auditPortal, registryFacts, showAccount } from "../../portal/service.ts";
import { blindIndex } from "../../security/sealed.ts";
import type { StaffUser } from "../../staff/service.ts";
import { count as counted, WORDS } from "../../text/plural.ts";
import { assertCallOpen } from "./call-window.ts";
import { type Answers, checklistFor, evaluate } from "./checklist.ts";
import { phoneCalls, phoneVerifications } from "./db-schema.ts";
import { callerNumberOf, visibleCall } from "./screen.ts";

export const MAX_FAILED_VERIFICATIONS = 5;

async function assertAttemptsLeft(db: Tx | AppContext["db"], callId: number) {
  const [failed] = await db
    .select({ n: count() })
    .from(phoneVerifications)
    .where(and(eq(phoneVerifications.callId, callId), eq(phoneVerifications.passed, false)));
  if ((failed?.n ?? 0) >= MAX_FAILED_VERIFICATIONS) {
    throw new AppError(
      "verification_attempts_exhausted",
      `Проверка личности на этом звонке не прошла ${counted(MAX_FAILED_VERIFICATIONS, ...WORDS.times)}: новые попытки закрыты. Предложите заявителю восстановить доступ на портале или позвонить снова.`,
      429,
    );
  }
}

export async function verifyCaller(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  callId: number,
  input: { audience: string; topic?: string | undefined; answers: Answers },
  now = new Date(),
) {
  const call = await visibleCall(ctx, user, callId);
  assertCallOpen(call, now);
  await assertAttemptsLeft(ctx.db, call.id);
  const topic = input.topic ?? "information";
  const items = checklistFor(input.audience, topic);
  const where = { callId: call.id, requestId: call.requestId };
  const facts = items.some((i) => i.registry)
    ? await registryFacts(ctx, connector, user, where, items, input.answers, callerNumberOf(call))
    : undefined;
  const result = evaluate(items, input.answers, facts);
  const account = result.passed ? (facts?.account ?? null) : null;
  await ctx.db.transaction(async (tx) => {
    // Attempts made at once are counted one after another.
    await tx.select({ id: phoneCalls.id }).from(phoneCalls).where(eq(phoneCalls.id, call.id)).for("update");
    await assertAttemptsLeft(tx, call.id);
    await tx.insert(phoneVerifications).values({
      callId: call.id,
      requestId: call.requestId,
      userId: user.id,
      audience: input.audience,
      topic,
      items: result.results,
      passed: result.passed,
      accountId: account?.id ?? null,
      createdAt: now,
    });
    // A caller verified against a portal account: the applicant record joins the number and the account.
    const phone = blindIndex("phone", callerNumberOf(call));
    if (account && phone) {
      await ctx.services.maybe("applicants")?.link(tx, [
        { kind: "phone", hash: phone },
        { kind: "account", hash: blindIndex("identifier", `portal:${account.id}`)! },
      ]);
    }
  });
  if (facts) {
    const outcome = result.passed ? "passed" : "failed";
    await auditPortal(ctx, connector, user, "verify_caller", where, facts.account?.id ?? null, outcome);
  }
  return {
    passed: result.passed,
    items: result.results,
    problems: result.problems,
    account: account ? showAccount(account) : null,
  };
}
