// The operator's call screen: who is calling, the line and topic, the checklist to verify the caller (the operator
// types the caller's answers; the server compares them with the portal account and says which held), and the
// portal actions on that one account, open only after the verification passed.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { BodyOf } from "../api/types.ts";
import { useConsole } from "../console/session.ts";
import { optionsOf, Select } from "../controls/Select.tsx";
import { formatShort } from "../format.ts";
import { STATUS_TITLES } from "../labels.ts";
import { type LiveEvent, useConsoleFeed } from "../live.ts";
import { Link, useTitle } from "../router.tsx";
import { CALL_STATES, type CallScreen, type PhoneEvent, type PortalAccount } from "./types.ts";
import "./phone.css";

const AUDIENCES: Record<string, string> = {
  citizen: "гражданин",
  legal_entity: "юридическое лицо",
  entrepreneur: "индивидуальный предприниматель",
};
const RESULT_TITLES: Record<string, string> = {
  confirmed: "подтверждено",
  valid: "верно",
  match: "совпадает с порталом",
  mismatch: "не совпадает с порталом",
  invalid: "ошибка",
  missing: "не заполнено",
  noted: "записано",
};

/** The select offers only the API's own audience codes (AUDIENCES above). */
type Audience = BodyOf<"/api/v1/phone/calls/{id}/verification", "post">["audience"];

const FIND_BY = [
  { value: "phone", label: "по телефону" },
  { value: "snils", label: "по СНИЛС" },
];

const INPUT_MODES: Record<string, "text" | "tel" | "numeric"> = { info: "text", text: "text", phone: "tel" };

type Verification = {
  passed: boolean;
  items: Record<string, string>;
  problems: Array<{ code: string; message: string }>;
  account: PortalAccount | null;
};

export function CallScreenPage({ id }: { id: number }) {
  useTitle(`Звонок ${id} — Консоль поддержки`);
  const { categories } = useConsole();
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/phone/calls/{id}/screen", { params: { path: { id } } });
  const screen = (read.data as CallScreen | undefined) ?? null;
  const error = failureOf(read)?.message ?? null;
  const [audience, setAudience] = useState<string | null>(null);
  // The account the last verification held against (the call screen itself keeps only its id).
  const [account, setAccount] = useState<PortalAccount | null>(null);

  const load = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/phone/calls/{id}/screen"] });
  useConsoleFeed("phone", (raw?: LiveEvent) => {
    const e = raw as unknown as PhoneEvent | undefined;
    if (e?.callId === id) void load();
  });

  if (error) return <p className="alert alert--error">{error}</p>;
  if (!screen) return <p className="loading">Загрузка…</p>;
  const topic = categories.find((c) => c.code === screen.topic)?.title;
  const verified = screen.verification?.passed === true && screen.verification.accountId !== null;

  return (
    <div>
      <h1>
        Звонок {screen.caller.name ?? ""} <span className="muted">{screen.caller.phone ?? "номер скрыт"}</span>
      </h1>
      <p className="muted">
        {screen.line ? `${screen.line.title}, ${screen.line.number}` : "Линия не определена"}
        {topic ? ` · тема: ${topic}` : ""} · {CALL_STATES[screen.call.state]} · начат{" "}
        {formatShort(screen.call.startedAt)}
      </p>
      {screen.call.continued && screen.request && (
        <p className="call-screen__continue" role="status">
          Заявитель перезвонил после обрыва связи.{" "}
          <Link to={`/console/requests/${screen.request.number}`}>Продолжить обращение №{screen.request.number}</Link>
        </p>
      )}
      <div className="call-screen">
        <section className="card" aria-labelledby="call-requests">
          <h2 id="call-requests" className="card__title">
            Обращения
          </h2>
          {screen.request && !screen.call.continued && (
            <p>
              Звонок относится к обращению{" "}
              <Link to={`/console/requests/${screen.request.number}`}>№{screen.request.number}</Link>
            </p>
          )}
          {screen.openRequests.length === 0 ? (
            <p className="muted">Открытых обращений нет.</p>
          ) : (
            <ul>
              {screen.openRequests.map((r) => (
                <li key={r.number}>
                  <Link to={`/console/requests/${r.number}`}>№{r.number}</Link> {r.subject} —{" "}
                  {STATUS_TITLES[r.status] ?? r.status}
                </li>
              ))}
            </ul>
          )}
          <h3>Прошлые звонки</h3>
          {screen.recentCalls.length === 0 ? (
            <p className="muted">Это первый звонок с этого номера.</p>
          ) : (
            <ul>
              {screen.recentCalls.map((c) => (
                <li key={c.id}>
                  {formatShort(c.startedAt)} — {CALL_STATES[c.state] ?? c.state}
                  {c.seconds ? `, ${Math.round(c.seconds / 60)} мин` : ""}
                  {c.requestNumber ? `, обращение №${c.requestNumber}` : ""}
                </li>
              ))}
            </ul>
          )}
        </section>
        <Checklist
          screen={screen}
          audience={audience ?? screen.audience}
          setAudience={setAudience}
          onDone={async (r) => {
            setAccount(r.account);
            await load();
          }}
        />
        <PortalActions
          screen={screen}
          verified={verified}
          account={verified && account?.id === screen.verification?.accountId ? account : null}
          setAccount={setAccount}
        />
      </div>
    </div>
  );
}

function Checklist(props: {
  screen: CallScreen;
  audience: string;
  setAudience: (a: string) => void;
  onDone: (r: Verification) => Promise<void>;
}) {
  const { screen, audience } = props;
  const [items, setItems] = useState(screen.checklist);
  // The profile phone is usually the one the caller rings from: offered, the operator changes it if not.
  const [answers, setAnswers] = useState<Record<string, string | boolean>>(() => {
    const offered: Record<string, string | boolean> = {};
    if (screen.caller.phone) offered.phone_in_profile = screen.caller.phone;
    return offered;
  });
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The checklist depends on who is calling: ask the server for the one of the chosen audience.
    if (audience === screen.audience) setItems(screen.checklist);
    else {
      const query = { audience: audience as Audience, ...(screen.topic ? { topic: screen.topic } : {}) };
      ok(api.GET("/api/v1/phone/checklist", { params: { query } }))
        .then((list) => setItems(list as CallScreen["checklist"]))
        .catch(() => setItems(screen.checklist));
    }
  }, [audience, screen]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = (await ok(
        api.POST("/api/v1/phone/calls/{id}/verification", {
          params: { path: { id: screen.call.id } },
          body: { audience: audience as Audience, topic: screen.topic ?? undefined, answers },
        }),
      )) as Verification;
      setResult(r);
      await props.onDone(r);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="call-check">
      <h2 id="call-check" className="card__title">
        Проверка личности
      </h2>
      {screen.verification && (
        <p className={screen.verification.passed ? "alert" : "alert alert--error"} role="status">
          {screen.verification.passed ? "Личность подтверждена" : "Проверка не пройдена"}: {screen.verification.by},{" "}
          {formatShort(screen.verification.at)}
        </p>
      )}
      <p className="muted">
        Введите ответы заявителя так, как он их называет: сервер сверит их с учётной записью на портале. Сохраняется
        только, какие пункты сошлись, без самих значений.
      </p>
      <form onSubmit={submit}>
        <Select label="Кто звонит" value={audience} onChange={props.setAudience} options={optionsOf(AUDIENCES)} />
        <ul className="checklist">
          {items.map((item) => {
            const r = result?.items[item.code];
            const label = `${item.title}${item.required ? "" : " (по желанию)"}`;
            return (
              <li key={item.code} className={r ? `checklist__item--${r}` : undefined}>
                {item.kind === "confirm" ? (
                  <label>
                    <input
                      type="checkbox"
                      checked={answers[item.code] === true}
                      onChange={(e) => setAnswers({ ...answers, [item.code]: e.target.checked })}
                    />{" "}
                    {label}
                  </label>
                ) : (
                  <label className="field">
                    <span>{label}</span>
                    <input
                      type={item.kind === "phone" ? "tel" : "text"}
                      inputMode={INPUT_MODES[item.kind] ?? "numeric"}
                      autoComplete="off"
                      value={String(answers[item.code] ?? "")}
                      onChange={(e) => setAnswers({ ...answers, [item.code]: e.target.value })}
                    />
                  </label>
                )}
                {r && <span className="muted"> — {RESULT_TITLES[r] ?? r}</span>}
                {result?.problems
                  .filter((p) => p.code === item.code)
                  .map((p) => (
                    <span key={p.code} className="field__error">
                      {" "}
                      {p.message}
                    </span>
                  ))}
              </li>
            );
          })}
        </ul>
        {error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button" disabled={busy}>
          Записать проверку
        </button>
      </form>
    </section>
  );
}

function PortalActions(props: {
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
