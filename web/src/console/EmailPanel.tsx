// The e-mail card of a request that came by mail: each letter received, with what the parser noticed and a link
// to the original letter, and each letter sent, with its delivery state.
import { $api } from "../api/client.ts";
import { formatShort } from "../format.ts";

// Only what an operator should act on; the other flags are technical.
const FLAG_TITLES: Record<string, string> = {
  sender_unverified: "адрес отправителя мог быть подделан",
  mime_unparseable: "письмо не удалось разобрать, текст показан как есть",
  encrypted: "письмо зашифровано",
  missing_from: "нет адреса отправителя",
  attachment_executable: "исполняемый файл (не выдаётся)",
  attachments_capped: "часть вложений только в исходном письме",
  text_truncated: "текст сокращён",
};
const KIND_TITLES: Record<string, string> = {
  ack: "Уведомление о регистрации",
  answer: "Ответ",
  status: "Смена статуса",
};
const REFUSED_TITLES: Record<string, string> = {
  executable: "исполняемый файл",
  archive: "архив",
  type_mismatch: "тип не совпадает с заявленным",
  over_limit: "сверх лимита вложений",
  unsupported_media_type: "тип не принимается",
  payload_too_large: "слишком большой",
};

const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))}\u00a0КБ`;

// Read again with the rest of the request when it changes (a new letter, a delivery failure).
export function EmailPanel({ number }: { number: string }) {
  const { data } = $api.useQuery("get", "/api/v1/requests/{number}/emails", { params: { path: { number } } });
  if (!data) return null;
  return (
    <section className="card" aria-labelledby="email-title">
      <h2 id="email-title" className="card__title">
        Письма
      </h2>
      <ul className="history">
        {data.inbound.map((l) => (
          <li key={`in-${l.id}`}>
            <time dateTime={l.receivedAt}>{formatShort(l.receivedAt)}</time> · получено, {kb(l.size)}
            {l.outcome === "duplicate" && " (повторная доставка)"}
            {l.flags
              .filter((f) => FLAG_TITLES[f])
              .map((f) => (
                <div key={f} className="overdue">
                  {FLAG_TITLES[f]}
                </div>
              ))}
            {l.attachments
              .filter((a) => a.refused)
              .map((a) => (
                <div key={a.filename} className="muted">
                  «{a.filename}»: {REFUSED_TITLES[a.refused ?? ""] ?? a.refused} — только в исходном письме
                </div>
              ))}
            {l.rawAvailable && (
              <div>
                <a href={`/api/v1/requests/${number}/emails/${l.id}/raw`} download={`letter-${l.id}.eml`}>
                  Исходное письмо
                </a>
              </div>
            )}
          </li>
        ))}
        {data.outbound.map((l) => (
          <li key={`out-${l.id}`}>
            {KIND_TITLES[l.kind] ?? l.kind}:{" "}
            {l.sentAt ? (
              <>
                отправлено <time dateTime={l.sentAt}>{formatShort(l.sentAt)}</time>
              </>
            ) : l.failedAt ? (
              <span className="overdue">не доставлено (код {l.lastErrorCode ?? "—"})</span>
            ) : l.attempts > 0 ? (
              <span className="overdue">повторная попытка (код {l.lastErrorCode ?? "—"})</span>
            ) : (
              "ожидает отправки"
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
