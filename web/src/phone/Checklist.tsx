// The checklist that verifies the caller: the operator types the caller's answers, the server compares them with
// the portal account and says which held; only which items held is kept, never the values.
import { type FormEvent, useEffect, useState } from "react";
import { api, errorText, ok } from "../api/client.ts";
import type { BodyOf } from "../api/types.ts";
import { optionsOf, Select } from "../controls/Select.tsx";
import { formatShort } from "../format.ts";
import type { CallScreen, PortalAccount } from "./types.ts";

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

const INPUT_MODES: Record<string, "text" | "tel" | "numeric"> = { info: "text", text: "text", phone: "tel" };

export type Verification = {
  passed: boolean;
  items: Record<string, string>;
  problems: Array<{ code: string; message: string }>;
  account: PortalAccount | null;
};

export function Checklist(props: {
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
