// Russian titles of the codes the API speaks in. The codes are the generated schema's: when the server adds a
// status, channel, priority or role, type-checking fails here until it has a title.
import type { BodyOf, ResponseOf } from "./api/types.ts";

type Status = ResponseOf<"/api/v1/track/{token}">["status"];
type SlaPolicy = BodyOf<"/api/v1/admin/sla/policies", "post">;
type Channel = NonNullable<SlaPolicy["channel"]>;
type Priority = NonNullable<SlaPolicy["priority"]>;
type Role = ResponseOf<"/api/v1/auth/me">["user"]["role"];

/** Looked up by any code the API sends; an unknown one falls back to the code itself at the call site. */
type Titles = Readonly<Record<string, string>>;

export const STATUS_TITLES: Titles = {
  new: "Новое",
  in_progress: "В работе",
  waiting: "Ожидает ответа заявителя",
  escalated: "Передано в профильное подразделение",
  resolved: "Решено",
  closed: "Закрыто",
} satisfies Record<Status, string>;

export const STATUS_ORDER = [
  "new",
  "in_progress",
  "waiting",
  "escalated",
  "resolved",
  "closed",
] as const satisfies readonly Status[];
export const OPEN_STATUSES = ["new", "in_progress", "waiting", "escalated"] as const satisfies readonly Status[];

/** What each status means for the applicant, in plain words. */
export const STATUS_EXPLANATIONS: Titles = {
  new: "Обращение зарегистрировано и ждёт оператора. Мы ответим не позже указанного срока.",
  in_progress: "Оператор занимается вашим вопросом. Ответ появится на этой странице.",
  waiting:
    "Нам нужны уточнения: прочитайте последнее сообщение и ответьте ниже. Пока мы ждём ответа, срок рассмотрения не идёт.",
  escalated:
    "Вопрос передан специалистам профильного подразделения. Они ответят здесь же; срок ответа продолжает действовать.",
  resolved:
    "Мы считаем вопрос решённым. Если это не так, напишите ниже — обращение снова откроется. Пожалуйста, оцените нашу работу.",
  closed: "Обращение закрыто. Если у вас остался вопрос, создайте новое обращение.",
} satisfies Record<Status, string>;

/** Button captions for moving a request to a status in the console. */
export const STATUS_ACTIONS: Titles = {
  new: "Вернуть в новые",
  in_progress: "Взять в работу",
  waiting: "Ждать ответа заявителя",
  escalated: "Отметить как переданное",
  resolved: "Решено",
  closed: "Закрыть",
} satisfies Record<Status, string>;

export const CHANNEL_TITLES: Titles = {
  web: "Веб-форма",
  email: "Электронная почта",
  chat: "Чат",
  phone: "Телефон",
  telegram: "Телеграм",
  vk: "ВКонтакте",
  max: "MAX",
} satisfies Record<Channel, string>;

export const PRIORITY_TITLES: Titles = {
  low: "Низкий",
  normal: "Обычный",
  high: "Высокий",
  urgent: "Срочный",
} satisfies Record<Priority, string>;

export const ROLE_TITLES: Titles = {
  operator: "Оператор",
  specialist: "Специалист",
  supervisor: "Руководитель",
  administrator: "Администратор",
} satisfies Record<Role, string>;

/** The title of a code from one of the API's lists (categories, audiences), or the code if it is not there. */
export function titleOf(list: readonly { code: string; title: string }[], code: string | null | undefined): string {
  if (!code) return "—";
  return list.find((o) => o.code === code)?.title ?? code;
}
