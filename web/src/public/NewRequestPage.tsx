// The web form: the applicant describes the question, leaves a contact and may attach files.
import { type FormEvent, useRef, useState } from "react";
import { ApiError, api, errorText, ok, randomId } from "../api/client.ts";
import { useLimits } from "../api/limits.ts";
import type { BodyOf } from "../api/types.ts";
import { optionsFrom, Select } from "../controls/Select.tsx";
import { count, fileSize, WORDS } from "../format.ts";
import { IncidentBanner, useMatchingIncidents } from "../incidents.tsx";
import { useTitle } from "../router.tsx";
import { FormAside } from "./FormAside.tsx";
import { ACCEPT, EMPTY, FIELD_IDS, type Form, type Picked, TEXT_MAX, validate } from "./requestForm.ts";
import { type Registered, SuccessScreen } from "./SuccessScreen.tsx";
import { Suggestions } from "./Suggestions.tsx";
import { useCategories } from "./useCategories.ts";

declare const __REGIONS__: string[];
const REGION_OPTIONS = __REGIONS__.map((r) => ({ value: r, label: r }));

export function NewRequestPage() {
  useTitle("Новое обращение — Служба поддержки");
  const lists = useCategories();
  const limits = useLimits();
  const [form, setForm] = useState<Form>(EMPTY);
  const [files, setFiles] = useState<Picked[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [topError, setTopError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState<Registered | null>(null);
  // One key per filled-in form: a double click or a retry after a lost answer makes one request, not two.
  const idempotencyKey = useRef(randomId());
  const summaryRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const incidents = useMatchingIncidents(form.text, form.category);

  const setField = (key: keyof Form, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    const field = key === "name" || key === "email" || key === "phone" ? `contact.${key}` : key;
    if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };
  const set = (key: keyof Form) => (e: { target: { value: string } }) => setField(key, e.target.value);

  const showErrors = (errs: Record<string, string>, top: string | null) => {
    setErrors(errs);
    setTopError(top);
    requestAnimationFrame(() => summaryRef.current?.focus());
  };

  const addFiles = (list: FileList | null) => {
    if (!list) return;
    const next = [...files, ...Array.from(list, (file) => ({ id: randomId(), file }))];
    setFiles(next);
    const err = validate(form, next, limits).files;
    setErrors(({ files: _, ...rest }) => (err ? { ...rest, files: err } : rest));
    if (fileInput.current) fileInput.current.value = "";
  };

  const removeFile = (index: number) => {
    const next = files.filter((_, i) => i !== index);
    setFiles(next);
    const err = validate(form, next, limits).files;
    setErrors(({ files: _, ...rest }) => (err ? { ...rest, files: err } : rest));
    fileInput.current?.focus();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    const errs = validate(form, files, limits);
    if (Object.keys(errs).length > 0) return showErrors(errs, null);
    const contact: Record<string, string> = {};
    if (form.name.trim()) contact.name = form.name.trim();
    if (form.email.trim()) contact.email = form.email.trim();
    if (form.phone.trim()) contact.phone = form.phone.trim();
    // The category and audience codes come from the server's own lists.
    const payload = {
      text: form.text,
      ...(form.category ? { category: form.category } : {}),
      ...(form.audience ? { audience: form.audience } : {}),
      ...(form.region ? { region: form.region } : {}),
      contact,
    } as BodyOf<"/api/v1/requests", "post">;
    let body: typeof payload | FormData = payload;
    if (files.length > 0) {
      body = new FormData();
      body.append("data", JSON.stringify(payload));
      for (const { file } of files) body.append("files", file, file.name);
    }
    setSending(true);
    try {
      const r = await ok(
        api.POST("/api/v1/requests", {
          // FormData is the multipart variant of the same body; the browser writes its boundary.
          body: body as typeof payload,
          params: { header: { "idempotency-key": idempotencyKey.current } },
        }),
      );
      setDone(r);
      window.scrollTo(0, 0);
    } catch (err) {
      // A refused form made no request: the next attempt may carry changed content under a new key.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) idempotencyKey.current = randomId();
      const fieldErrs: Record<string, string> = {};
      if (err instanceof ApiError) {
        for (const fe of err.fieldErrors) {
          const key = fe.field.replace(/^data\./, "");
          if (FIELD_IDS[key] && !fieldErrs[key]) fieldErrs[key] = fe.message;
        }
      }
      showErrors(fieldErrs, Object.keys(fieldErrs).length ? null : errorText(err));
    } finally {
      setSending(false);
    }
  };

  if (done) {
    return (
      <SuccessScreen
        result={done}
        onAnother={() => {
          setDone(null);
          setForm(EMPTY);
          setFiles([]);
          idempotencyKey.current = randomId();
        }}
      />
    );
  }

  const errorList = Object.entries(errors).sort(
    ([a], [b]) => Object.keys(FIELD_IDS).indexOf(a) - Object.keys(FIELD_IDS).indexOf(b),
  );
  const describedBy = (field: string, hint?: string) =>
    [errors[field] ? `${FIELD_IDS[field]}-error` : null, hint].filter(Boolean).join(" ") || undefined;
  const fieldError = (field: string) =>
    errors[field] ? (
      <p className="field__error" id={`${FIELD_IDS[field]}-error`}>
        {errors[field]}
      </p>
    ) : null;

  return (
    <div className="with-aside">
      <section className="narrow">
        <h1>Новое обращение</h1>
        <p className="lead">
          Ответ придёт на эту же страницу по ссылке, которую вы получите после отправки, и на почту, если вы её укажете.
        </p>

        <div ref={summaryRef} tabIndex={-1} className="summary-anchor">
          {(topError || errorList.length > 0) && (
            <div className="alert alert--error" role="alert">
              <h2 className="alert__title">{topError ? "Обращение не отправлено" : "Исправьте, пожалуйста:"}</h2>
              {topError && <p>{topError}</p>}
              {errorList.length > 0 && (
                <ul>
                  {errorList.map(([field, message]) => (
                    <li key={field}>
                      <a href={`#${FIELD_IDS[field]}`}>{message}</a>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>

        <form onSubmit={submit} noValidate className="form" aria-busy={sending}>
          <fieldset className="fieldset">
            <legend>Кто обращается</legend>
            <div className="radios" id="f-audience">
              {(lists?.audiences ?? [{ code: "citizen", title: "Гражданин" }]).map((a) => (
                <label key={a.code} className="radio">
                  <input
                    type="radio"
                    name="audience"
                    id={`f-audience-${a.code}`}
                    value={a.code}
                    checked={form.audience === a.code}
                    onChange={set("audience")}
                  />
                  <span>{a.title}</span>
                </label>
              ))}
            </div>
          </fieldset>

          <Select
            id="f-category"
            label={
              <>
                Тема вопроса <span className="optional">(необязательно)</span>
              </>
            }
            value={form.category}
            onChange={(v) => setField("category", v)}
            empty="Не знаю — определите сами"
            options={optionsFrom(lists?.categories ?? [])}
            hint="Если не уверены, оставьте как есть: мы сами направим вопрос нужным специалистам."
            error={errors.category}
          />

          <Select
            id="f-region"
            label={
              <>
                Регион <span className="optional">(необязательно)</span>
              </>
            }
            value={form.region}
            onChange={(v) => setField("region", v)}
            empty="Не указан"
            options={REGION_OPTIONS}
            error={errors.region}
          />

          <div className={`field${errors.text ? " field--error" : ""}`}>
            <label htmlFor="f-text">Текст обращения</label>
            <p className="field__hint" id="f-text-hint">
              Что вы делали, что пошло не так, текст ошибки, номер заявления. Не пишите пароли и коды из СМС.
            </p>
            <textarea
              id="f-text"
              rows={8}
              value={form.text}
              onChange={set("text")}
              maxLength={TEXT_MAX}
              required
              aria-required="true"
              aria-invalid={errors.text ? true : undefined}
              aria-describedby={describedBy("text", "f-text-hint f-text-count")}
            />
            <p className="field__counter" id="f-text-count">
              {form.text.length} из {TEXT_MAX.toLocaleString("ru-RU")} символов
            </p>
            {fieldError("text")}
            <IncidentBanner
              incidents={incidents}
              lead="Похоже, вы пишете об известном сбое. Специалисты уже устраняют его: обращение можно не отправлять, а если отправите, мы сообщим, когда всё заработает."
            />
            <Suggestions text={form.text} />
          </div>

          <fieldset className="fieldset">
            <legend>Как с вами связаться</legend>
            <p className="field__hint">Укажите почту или телефон, если хотите получить ответ не только по ссылке.</p>
            <div className={`field${errors["contact.name"] ? " field--error" : ""}`}>
              <label htmlFor="f-name">
                Как к вам обращаться <span className="optional">(необязательно)</span>
              </label>
              <input
                id="f-name"
                type="text"
                autoComplete="name"
                value={form.name}
                maxLength={200}
                onChange={set("name")}
                aria-invalid={errors["contact.name"] ? true : undefined}
                aria-describedby={describedBy("contact.name")}
              />
              {fieldError("contact.name")}
            </div>
            <div className={`field${errors["contact.email"] ? " field--error" : ""}`}>
              <label htmlFor="f-email">
                Электронная почта <span className="optional">(необязательно)</span>
              </label>
              <input
                id="f-email"
                type="email"
                inputMode="email"
                autoComplete="email"
                spellCheck={false}
                value={form.email}
                maxLength={254}
                onChange={set("email")}
                aria-invalid={errors["contact.email"] ? true : undefined}
                aria-describedby={describedBy("contact.email")}
              />
              {fieldError("contact.email")}
            </div>
            <div className={`field${errors["contact.phone"] ? " field--error" : ""}`}>
              <label htmlFor="f-phone">
                Телефон <span className="optional">(необязательно)</span>
              </label>
              <input
                id="f-phone"
                type="tel"
                inputMode="tel"
                autoComplete="tel"
                placeholder="+7 912 345-67-89"
                value={form.phone}
                maxLength={40}
                onChange={set("phone")}
                aria-invalid={errors["contact.phone"] ? true : undefined}
                aria-describedby={describedBy("contact.phone")}
              />
              {fieldError("contact.phone")}
            </div>
          </fieldset>

          <div className={`field${errors.files ? " field--error" : ""}`}>
            <p className="field__label" id="f-files-label">
              Файлы <span className="optional">(необязательно)</span>
            </p>
            <p className="field__hint" id="f-files-hint">
              Снимки экрана и документы: PNG, JPG, PDF, DOC, DOCX и другие
              {limits
                ? `, до ${count(limits.attachments.maxFiles, ...WORDS.fileGenitive)} по ${fileSize(limits.attachments.maxFileBytes)}.`
                : "."}
            </p>
            <label className="button button--secondary file-pick">
              <input
                ref={fileInput}
                id="f-files"
                className="file-input"
                type="file"
                multiple
                accept={ACCEPT}
                onChange={(e) => addFiles(e.target.files)}
                aria-describedby={describedBy("files", "f-files-hint")}
              />
              {files.length > 0 ? "Добавить ещё файлы" : "Прикрепить файлы"}
            </label>
            {files.length > 0 && (
              <ul className="file-list" aria-label="Приложенные файлы">
                {files.map(({ id, file: f }, i) => (
                  <li key={id} className="file-list__item">
                    <span className="file-list__name">{f.name}</span>
                    <span className="file-list__size">{fileSize(f.size)}</span>
                    <button
                      type="button"
                      className="button button--link"
                      onClick={() => removeFile(i)}
                      aria-label={`Удалить файл ${f.name}`}
                    >
                      Удалить
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {fieldError("files")}
          </div>

          <div className="form__actions">
            <button type="submit" className="button button--large" disabled={sending}>
              {sending ? "Отправляем…" : "Отправить обращение"}
            </button>
          </div>
          <p className="field__hint">
            Отправляя обращение, вы соглашаетесь на обработку указанных данных для ответа на него.
          </p>
        </form>
      </section>
      <FormAside />
    </div>
  );
}
