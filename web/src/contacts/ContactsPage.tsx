// «Контакты»: which number to call now about what, as whom, from where — then the whole directory.
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { optionsFrom, Select } from "../controls/Select.tsx";
import { useDebounced } from "../live.ts";
import { useCategories } from "../public/useCategories.ts";
import { useTitle } from "../router.tsx";
import { LineCard } from "./LineCard.tsx";
import "./contacts.css";

const AUDIENCES = [
  { code: "citizen", title: "Гражданин" },
  { code: "legal_entity", title: "Организация" },
  { code: "entrepreneur", title: "Предприниматель (ИП)" },
];

type Filters = { topic: string; audience: string; region: string; abroad: boolean };

function initialFilters(): Filters {
  const q = new URLSearchParams(window.location.search);
  return {
    topic: q.get("topic") ?? "",
    audience: q.get("audience") ?? "citizen",
    region: q.get("region") ?? "",
    abroad: q.get("abroad") === "1",
  };
}

const MINUTE = 60_000;

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function useNow(ms = MINUTE): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function ContactsPage() {
  useTitle("Контакты — Служба поддержки");
  const lists = useCategories();
  const now = useNow();
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const ids = { list: useId(), regionHint: useId(), regionError: useId() };
  const regions =
    $api.useQuery("get", "/api/v1/directory/regions", {}, { staleTime: Number.POSITIVE_INFINITY }).data ?? [];
  // The whole list is reread every minute, so «open now» stays true on a page left open.
  const lines = $api.useQuery("get", "/api/v1/directory/lines", {}, { refetchInterval: MINUTE });
  const directory = lines.data ?? null;

  const regionForms = useMemo(() => {
    const forms = new Map<string, string>();
    for (const r of regions) {
      forms.set(r.name, r.name);
      for (const s of r.short) if (!forms.has(s)) forms.set(s, r.name);
    }
    // Cities after every subject's own forms: «Воронеж» is offered, and never hides a subject's name.
    for (const r of regions) for (const c of r.cities) if (!forms.has(c)) forms.set(c, r.name);
    return forms;
  }, [regions]);

  const { topic, audience, region, abroad } = filters;
  // The choice stays in the address, so a shared or reloaded link shows the same answer.
  useEffect(() => {
    const q = new URLSearchParams();
    if (topic) q.set("topic", topic);
    if (audience !== "citizen") q.set("audience", audience);
    if (region.trim()) q.set("region", region.trim());
    if (abroad) q.set("abroad", "1");
    const search = q.toString();
    window.history.replaceState(null, "", `/contacts${search ? `?${search}` : ""}`);
  }, [topic, audience, region, abroad]);

  // Asked after a pause in typing the region; read again every minute like the list.
  const typedRegion = useDebounced(region.trim(), 250);
  const asked = {
    topic,
    audience,
    ...(typedRegion && !abroad ? { region: typedRegion } : {}),
    ...(abroad ? { abroad } : {}),
  };
  const recommend = $api.useQuery(
    "get",
    "/api/v1/directory/recommend",
    { params: { query: asked } },
    { enabled: Boolean(topic), refetchInterval: MINUTE, placeholderData: (previous) => previous },
  );
  const failure = failureOf(recommend);
  const regionError =
    failure?.code === "region_unknown"
      ? "Такого региона нет в списке. Начните вводить название и выберите из подсказок."
      : null;
  const error = (failure && !regionError ? failure.message : null) ?? failureOf(lines)?.message ?? null;
  // The answer shown belongs to the region asked: while another region is being asked (or was refused), the lines
  // of the previous one are not left on top.
  const answeredRegion = useRef<string | null>(null);
  if (recommend.data && !recommend.isPlaceholderData) answeredRegion.current = asked.region ?? "";
  const stale = recommend.isPlaceholderData && answeredRegion.current !== (asked.region ?? "");
  const answer = topic && !failure && !stale ? (recommend.data ?? null) : null;
  const loading = recommend.isFetching;

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const topicTitle = lists?.categories.find((c) => c.code === topic)?.title;
  const openFirst = answer?.filter((a) => a.open === true) ?? [];
  const later = answer?.filter((a) => a.open !== true) ?? [];
  const fallback = answer?.find((a) => a.regionalFallback);

  return (
    <div className="contacts">
      <h1>Контакты службы поддержки</h1>
      <p className="lead">Выберите тему и регион — покажем, куда звонить прямо сейчас.</p>

      <form className="contacts-filters" onSubmit={(e) => e.preventDefault()} aria-label="Кому позвонить">
        <Select
          id="c-topic"
          label="Тема вопроса"
          value={topic}
          onChange={(v) => set("topic", v)}
          empty="Выберите тему"
          options={optionsFrom(lists?.categories ?? [])}
        />

        <fieldset className="fieldset">
          <legend>Кто звонит</legend>
          <div className="radios">
            {AUDIENCES.map((a) => (
              <label key={a.code} className="radio">
                <input
                  type="radio"
                  name="c-audience"
                  value={a.code}
                  checked={audience === a.code}
                  onChange={() => set("audience", a.code)}
                />
                <span>{a.title}</span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className={`field${regionError ? " field--error" : ""}`}>
          <label htmlFor="c-region">
            Регион <span className="optional">(необязательно)</span>
          </label>
          <input
            id="c-region"
            type="text"
            list={ids.list}
            autoComplete="off"
            value={region}
            disabled={abroad}
            onChange={(e) => set("region", e.target.value)}
            aria-describedby={`${ids.regionHint}${regionError ? ` ${ids.regionError}` : ""}`}
            aria-invalid={regionError ? true : undefined}
          />
          <datalist id={ids.list}>
            {[...regionForms.keys()].map((form) => (
              <option key={form} value={form} />
            ))}
          </datalist>
          <p className="field__hint" id={ids.regionHint}>
            Например: Якутия, ХМАО, СПб, Воронежская обл.
          </p>
          {regionError && (
            <p className="field__error" id={ids.regionError}>
              {regionError}
            </p>
          )}
        </div>

        <label className="checkbox">
          <input type="checkbox" checked={abroad} onChange={(e) => set("abroad", e.target.checked)} />
          <span>Я за границей</span>
        </label>
      </form>

      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}

      <section className="contacts-answer" aria-labelledby="c-answer-title" aria-live="polite" aria-busy={loading}>
        <h2 id="c-answer-title">{topicTitle ? `Куда звонить: ${topicTitle.toLowerCase()}` : "Куда звонить"}</h2>
        {!topic && <p className="muted">Выберите тему вопроса — линии, открытые сейчас, появятся здесь первыми.</p>}
        {abroad && topic && (
          <p className="contacts-dial-note">
            Из-за границы наберите код выхода на международную линию (обычно <b>00</b>, из США и Канады — <b>011</b>),
            затем <b>7</b> и номер. С мобильного можно набрать номер сразу с «+7». Номера 8‑800 из-за границы
            недоступны.
          </p>
        )}
        {fallback && !abroad && (
          <p className="contacts-note">
            {capitalised(regions.find((r) => regionForms.get(region.trim()) === r.name)?.in ?? "в этом регионе")} нет
            своей линии — звоните на федеральные номера.
          </p>
        )}
        {answer && answer.length === 0 && (
          <p className="muted">Подходящих линий нет. Попробуйте другую тему или напишите обращение.</p>
        )}
        {openFirst.length > 0 && (
          <ul className="contacts-list" aria-label="Открыты сейчас">
            {openFirst.map((item) => (
              <li key={item.id}>
                <LineCard line={item} now={now} why={item.why} dial={item.dial} level={3} />
              </li>
            ))}
          </ul>
        )}
        {later.length > 0 && (
          <>
            <h3 className="contacts-subtitle">
              {openFirst.length
                ? "Другие линии: закрыты сейчас или часы не указаны"
                : "Сейчас подходящие линии закрыты"}
            </h3>
            <ul className="contacts-list" aria-label="Другие линии">
              {later.map((item) => (
                <li key={item.id}>
                  <LineCard line={item} now={now} why={item.why} dial={item.dial} />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section className="contacts-all" aria-labelledby="c-all-title">
        <h2 id="c-all-title">Все телефоны службы поддержки</h2>
        {!directory && !error && <p className="loading">Загрузка…</p>}
        {directory?.groups.map((g) => (
          <section key={g.title} className="contacts-group" aria-label={g.title}>
            <h3>{g.title}</h3>
            <ul className="contacts-list contacts-list--compact">
              {g.lines.map((line) => (
                <li key={line.id}>
                  <LineCard line={line} now={now} dial={line.dial} compact />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </section>
    </div>
  );
}
