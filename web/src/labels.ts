// Russian titles of the codes the API speaks in.

export const STATUS_TITLES: Record<string, string> = {
  new: "Новое",
  in_progress: "В работе",
  waiting: "Ожидает ответа заявителя",
  escalated: "Передано в профильное подразделение",
  resolved: "Решено",
  closed: "Закрыто",
};

export const STATUS_ORDER = ["new", "in_progress", "waiting", "escalated", "resolved", "closed"] as const;
export const OPEN_STATUSES = ["new", "in_progress", "waiting", "escalated"] as const;

/** What each status means for the applicant, in plain words. */
export const STATUS_EXPLANATIONS: Record<string, string> = {
  new: "Обращение зарегистрировано и ждёт оператора. Мы ответим не позже указанного срока.",
  in_progress: "Оператор занимается вашим вопросом. Ответ появится на этой странице.",
  waiting:
    "Нам нужны уточнения: прочитайте последнее сообщение и ответьте ниже. Пока мы ждём ответа, срок рассмотрения не идёт.",
  escalated:
    "Вопрос передан специалистам профильного подразделения. Они ответят здесь же; срок ответа продолжает действовать.",
  resolved:
    "Мы считаем вопрос решённым. Если это не так, напишите ниже — обращение снова откроется. Пожалуйста, оцените нашу работу.",
  closed: "Обращение закрыто. Если у вас остался вопрос, создайте новое обращение.",
};

/** Button captions for moving a request to a status in the console. */
export const STATUS_ACTIONS: Record<string, string> = {
  new: "Вернуть в новые",
  in_progress: "Взять в работу",
  waiting: "Ждать ответа заявителя",
  escalated: "Отметить как переданное",
  resolved: "Решено",
  closed: "Закрыть",
};

export const CHANNEL_TITLES: Record<string, string> = {
  web: "Веб-форма",
  email: "Электронная почта",
  chat: "Чат",
  phone: "Телефон",
};

export const PRIORITY_TITLES: Record<string, string> = {
  low: "Низкий",
  normal: "Обычный",
  high: "Высокий",
  urgent: "Срочный",
};

export const ROLE_TITLES: Record<string, string> = {
  operator: "Оператор",
  specialist: "Специалист",
  supervisor: "Руководитель",
  administrator: "Администратор",
};

export type Option = { code: string; title: string };

export function titleOf(list: Option[], code: string | null | undefined): string {
  if (!code) return "—";
  return list.find((o) => o.code === code)?.title ?? code;
}
