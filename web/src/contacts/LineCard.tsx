// One phone line: the number to tap, whether it is open now and until when, what it costs, why it was chosen.
import { stateWords, telHref } from "./time.ts";

type Line = {
  id: string;
  number: string;
  e164: string;
  title: string;
  purpose: string;
  role: string;
  open: boolean | null;
  opensAt: string | null;
  closesAt: string | null;
  hours: string;
  cost: string;
  overloaded: boolean;
  notes?: string;
};

export function LineCard({
  line,
  now,
  why,
  dial,
  compact = false,
  level = 4,
}: {
  line: Line;
  now: Date;
  why?: string;
  dial?: string;
  compact?: boolean;
  /** The heading level of the card's title, so that the page's outline has no gaps. */
  level?: 3 | 4;
}) {
  const state = stateWords(line, now);
  const titleId = `line-${line.id}${compact ? "-all" : ""}`;
  const Title = level === 3 ? "h3" : "h4";
  return (
    <article
      className={`contacts-line contacts-line--${state.tone}${compact ? " contacts-line--compact" : ""}`}
      aria-labelledby={titleId}
    >
      <Title className="contacts-line__title" id={titleId}>
        {line.title}
        {line.role !== "main" && <span className="contacts-tag">резервный</span>}
      </Title>
      <a className="contacts-line__tel" href={telHref(line.e164)}>
        <span className="visually-hidden">Позвонить: </span>
        {line.number}
      </a>
      <p className={`contacts-state contacts-state--${state.tone}`}>{state.text}</p>
      {line.overloaded && <p className="contacts-note">Очередь на этой линии сейчас длиннее обычного.</p>}
      {dial && <p className="contacts-dial">Из-за границы: {dial}</p>}
      <p className="contacts-line__meta">
        {line.purpose}. {line.hours[0]?.toUpperCase()}
        {line.hours.slice(1)}. {line.cost === "free" ? "Звонок бесплатный." : "Звонок по тарифу вашего оператора."}
      </p>
      {line.notes && <p className="contacts-line__meta">{line.notes}</p>}
      {why && <p className="contacts-why">Почему эта линия: {why}</p>}
    </article>
  );
}
