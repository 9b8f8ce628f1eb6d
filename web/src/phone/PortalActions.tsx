// The portal actions of a call: find the caller's account, resend a code, unlock it, change its phone, look up an
// application — open only after the verification passed, and only on the account the answers held against.
import { useState } from "react";
import { api, errorText, ok } from "../api/client.ts";
import { Select } from "../controls/Select.tsx";
import type { CallScreen, PortalAccount } from "./types.ts";

const FIND_BY = [
  { value: "phone", label: "по телефону" },
  { value: "snils", label: "по СНИЛС" },
];

export function PortalActions(props: {
  screen: CallScreen;
  verified: boolean;
  account: PortalAccount | null;
  setAccount: (a: PortalAccount | null) => void;
}) {
  const { screen, verified, account, setAccount } = props;
  const [phone, setPhone] = useState(screen.caller.phone ?? "");
  const [by, setBy] = useState<"phone" | "snils">("phone");
  const [number, setNumber] = useState("");
  const [newPhone, setNewPhone] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const where = { callId: screen.call.id };

  const run = async (fn: () => Promise<string>) => {
    setError(null);
    setMessage(null);
    try {
      setMessage(await fn());
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section className="card" aria-labelledby="call-portal">
      <h2 id="call-portal" className="card__title">
        Портал
      </h2>
      {!verified && (
        <p className="muted">
          Действия станут доступны после проверки личности — только с той учётной записью, с которой сошлись ответы.
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const key = by === "phone" ? { phone } : { snils: phone };
            const r = await ok(api.POST("/api/v1/portal/accounts/find", { body: { ...key, ...where } }));
            setAccount(r.account);
            return r.account ? `Найдена учётная запись: ${r.account.fullName}` : "Учётная запись не найдена.";
          });
        }}
      >
        <Select
          label="Искать учётную запись"
          value={by}
          disabled={!verified}
          onChange={(v) => {
            setBy(v as "phone" | "snils");
            setPhone(v === "phone" ? (screen.caller.phone ?? "") : "");
          }}
          options={FIND_BY}
        />
        <label className="field">
          <span>{by === "phone" ? "Телефон учётной записи" : "СНИЛС"}</span>
          <input value={phone} onChange={(e) => setPhone(e.target.value)} disabled={!verified} />
        </label>
        <button type="submit" className="button button--small" disabled={!verified}>
          Найти учётную запись
        </button>
      </form>
      {account && (
        <div className="screen-pop__actions">
          <p>
            {account.fullName}, СНИЛС {account.snilsMasked ?? "—"}, {account.locked ? "заблокирована" : "активна"}
          </p>
          <button
            type="button"
            className="button button--small button--secondary"
            onClick={() =>
              run(async () => {
                await api.POST("/api/v1/portal/accounts/{id}/confirmation-code", {
                  params: { path: { id: account.id } },
                  body: where,
                });
                return "Код подтверждения отправлен повторно.";
              })
            }
          >
            Отправить код ещё раз
          </button>
          <button
            type="button"
            className="button button--small button--secondary"
            onClick={() =>
              run(async () => {
                const r = await ok(
                  api.POST("/api/v1/portal/accounts/{id}/unlock", {
                    params: { path: { id: account.id } },
                    body: where,
                  }),
                );
                setAccount({ ...account, locked: false });
                return r.wasLocked ? "Учётная запись разблокирована." : "Учётная запись не была заблокирована.";
              })
            }
          >
            Разблокировать
          </button>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await api.PUT("/api/v1/portal/accounts/{id}/phone", {
                  params: { path: { id: account.id } },
                  body: { phone: newPhone, ...where },
                });
                return "Телефон в учётной записи изменён.";
              });
            }}
          >
            <label className="field">
              <span>Новый телефон</span>
              <input value={newPhone} onChange={(e) => setNewPhone(e.target.value)} />
            </label>
            <button type="submit" className="button button--small button--secondary">
              Сменить телефон
            </button>
          </form>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await ok(api.POST("/api/v1/portal/applications/status", { body: { number, ...where } }));
            return `Заявление ${r.number} («${r.service}»): ${r.statusTitle}.`;
          });
        }}
      >
        <label className="field">
          <span>Номер заявления</span>
          <input value={number} onChange={(e) => setNumber(e.target.value)} disabled={!verified} inputMode="numeric" />
        </label>
        <button type="submit" className="button button--small" disabled={!verified}>
          Узнать статус
        </button>
      </form>
      {message && (
        <p className="alert" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
