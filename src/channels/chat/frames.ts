// The frames a chat client may send, one schema per type and side (applicant or employee). A frame is read only after
// its schema passed: anything else — not JSON, JSON of another shape, wrong field types — is refused as `bad_frame`.
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

const INT4_MAX = 2_147_483_647;
const ClientId = Type.String({ pattern: "^[A-Za-z0-9_-]{6,64}$" });
// PostgreSQL text cannot hold NUL; the length is bounded by the frame (64 KB) and checked with a clear message later.
const Text = Type.String({ pattern: "^[^\\u0000]*$" });
const FileId = Type.String({
  pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
});
const Files = Type.Array(FileId, { maxItems: 20 });
const ConversationId = Type.Integer({ minimum: 1, maximum: INT4_MAX });
const Since = Type.Integer({ minimum: 0, maximum: INT4_MAX });
const Action = Type.Union([Type.Literal("helped"), Type.Literal("operator"), Type.Literal("leave")]);
const only = { additionalProperties: false } as const;

const APPLICANT = {
  msg: Type.Object(
    {
      t: Type.Literal("msg"),
      id: ClientId,
      text: Type.Optional(Text),
      files: Type.Optional(Files),
      action: Type.Optional(Action),
    },
    only,
  ),
  typing: Type.Object({ t: Type.Literal("typing") }, only),
  sync: Type.Object({ t: Type.Literal("sync"), since: Type.Optional(Since) }, only),
  ping: Type.Object({ t: Type.Literal("ping") }, only),
};

const STAFF = {
  msg: Type.Object(
    {
      t: Type.Literal("msg"),
      id: ClientId,
      conversationId: ConversationId,
      text: Type.Optional(Text),
      files: Type.Optional(Files),
    },
    only,
  ),
  typing: Type.Object({ t: Type.Literal("typing"), conversationId: ConversationId }, only),
  sync: Type.Object({ t: Type.Literal("sync"), conversationId: ConversationId, since: Type.Optional(Since) }, only),
  leave: Type.Object({ t: Type.Literal("leave"), conversationId: ConversationId }, only),
  ping: Type.Object({ t: Type.Literal("ping") }, only),
};

export type ApplicantFrame = { [K in keyof typeof APPLICANT]: Static<(typeof APPLICANT)[K]> }[keyof typeof APPLICANT];
export type StaffFrame = { [K in keyof typeof STAFF]: Static<(typeof STAFF)[K]> }[keyof typeof STAFF];

const ajv = new Ajv({ allErrors: false, strict: false });
const compile = <S extends Record<string, TSchema>>(schemas: S) =>
  new Map(Object.entries(schemas).map(([t, s]) => [t, ajv.compile(s) as ValidateFunction]));
const validators = { applicant: compile(APPLICANT), staff: compile(STAFF) };

export type Refusal = { ok: false; id?: string; message: string };

/** Reads one text frame of the given side: the typed frame, or why it is refused (with its id, when it had one). */
export function readFrame(text: string, side: "applicant"): { ok: true; frame: ApplicantFrame } | Refusal;
export function readFrame(text: string, side: "staff"): { ok: true; frame: StaffFrame } | Refusal;
export function readFrame(
  text: string,
  side: "applicant" | "staff",
): { ok: true; frame: ApplicantFrame | StaffFrame } | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "Сообщение не разобрано: ожидается объект JSON." };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, message: "Сообщение не разобрано: ожидается объект JSON с полем «t»." };
  }
  const frame = value as Record<string, unknown>;
  const id = typeof frame.id === "string" && frame.id.length <= 64 ? { id: frame.id } : {};
  const validate = typeof frame.t === "string" ? validators[side].get(frame.t) : undefined;
  if (!validate) return { ok: false, ...id, message: "Неизвестный тип сообщения." };
  if (!validate(frame)) {
    return { ok: false, ...id, message: describe(validate.errors?.[0]) };
  }
  return { ok: true, frame: frame as ApplicantFrame | StaffFrame };
}

const FIELDS: Record<string, string> = {
  t: "тип",
  id: "идентификатор сообщения",
  text: "текст",
  files: "файлы",
  action: "кнопка",
  conversationId: "номер чата",
  since: "номер последнего сообщения",
};

function describe(e: ErrorObject | undefined): string {
  if (!e) return "Сообщение составлено неверно.";
  const path = e.instancePath.split("/").filter(Boolean);
  const key =
    e.keyword === "additionalProperties"
      ? String(e.params.additionalProperty)
      : (path[0] ?? String(e.params.missingProperty));
  // Own properties only: a frame's «constructor» or «toString» is named as sent, not found on Object.prototype.
  const name = Object.hasOwn(FIELDS, key) ? `«${FIELDS[key]}»` : `«${key}»`;
  switch (e.keyword) {
    case "additionalProperties":
      return `Сообщение составлено неверно: неизвестное поле ${name}.`;
    case "required":
      return `Сообщение составлено неверно: нет поля ${name}.`;
    case "pattern":
      return key === "text"
        ? "Текст содержит недопустимый символ (NUL): уберите его и отправьте снова."
        : `Сообщение составлено неверно: поле ${name} в неверном формате.`;
    default:
      return `Сообщение составлено неверно: поле ${name} заполнено неверно.`;
  }
}
