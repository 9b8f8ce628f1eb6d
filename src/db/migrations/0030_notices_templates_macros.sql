CREATE TABLE "kb_macros" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "kb_macros_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"template_id" integer,
	"visibility" text DEFAULT 'public' NOT NULL,
	"status" text,
	"category" text,
	"assign" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "staff_notification_settings" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"muted" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_templates" ADD COLUMN "shipped_key" text;--> statement-breakpoint
ALTER TABLE "staff_notifications" ADD COLUMN "event_key" text;--> statement-breakpoint
ALTER TABLE "kb_macros" ADD CONSTRAINT "kb_macros_template_id_kb_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "kb_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_macros" ADD CONSTRAINT "kb_macros_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notification_settings" ADD CONSTRAINT "staff_notification_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "staff_notifications_event_idx" ON "staff_notifications" USING btree ("user_id","event_key") WHERE event_key is not null;--> statement-breakpoint
ALTER TABLE "kb_templates" ADD CONSTRAINT "kb_templates_shipped_key_unique" UNIQUE("shipped_key");--> statement-breakpoint
-- The shipped answer templates, each inserted once (an edited or deleted one stays as staff left it).
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('acknowledged', NULL, 'Обращение принято', $tpl${{приветствие}}

Ваше обращение зарегистрировано под номером {{номер}}. Мы ответим до {{срок_ответа}}.

Если захотите что-то добавить, просто ответьте на это сообщение: всё попадёт в то же обращение.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('code_not_received', 'access', 'Не приходит код подтверждения', $tpl${{приветствие}}

Если код подтверждения не приходит, проверьте, пожалуйста:
1. Верно ли указан номер телефона в личном кабинете и принимает ли телефон СМС.
2. Не переполнена ли память телефона и не заблокированы ли СМС с коротких номеров.
3. Прошло ли не меньше двух минут с прошлого запроса: новый код заменяет прежний, поэтому вводите код из последнего СМС.

Если код так и не придёт, ответьте на это сообщение — мы проверим доставку по обращению № {{номер}}.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('account_locked', 'access', 'Учётная запись заблокирована', $tpl${{приветствие}}

Учётную запись временно блокируют после нескольких попыток входа с неверным паролем или при подозрительной активности. Чтобы вернуть доступ, нажмите «Восстановить пароль» на странице входа: понадобятся номер телефона или адрес электронной почты из личного кабинета и паспортные данные.

Если восстановить доступ не получится, ответьте на это сообщение. Мы решим вопрос по обращению № {{номер}} до {{срок_решения}}.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('application_status', 'application_status', 'Статус заявления', $tpl${{приветствие}}

Заявление рассматривает ведомство, которое оказывает услугу: оно устанавливает сроки рассмотрения, и статус в личном кабинете меняется, как только ведомство примет решение или запросит документы.

Мы уточним сведения о вашем заявлении и ответим по обращению № {{номер}} до {{срок_решения}}.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('phone_change', 'contacts', 'Смена номера телефона', $tpl${{приветствие}}

Чтобы сменить номер телефона, войдите в личный кабинет, откройте «Профиль» → «Контактные данные», нажмите «Изменить» рядом с номером и подтвердите новый номер кодом из СМС.

Если доступа к прежнему номеру нет, войдите по СНИЛС или адресу электронной почты и паролю. Если не получается и так, ответьте на это сообщение: подскажем, как подтвердить личность.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('e_signature', 'e_signature', 'Электронная подпись', $tpl${{приветствие}}

Для услуг, где нужна электронная подпись, подходит квалифицированная подпись, выданная аккредитованным удостоверяющим центром. Как её получить и какие документы нужны, зависит от того, для чего она: для личных услуг или для работы от имени организации.

Ваш вопрос передан специалистам по электронной подписи: они ответят по обращению № {{номер}} до {{срок_решения}}.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;--> statement-breakpoint
INSERT INTO "kb_templates" ("shipped_key", "category", "title", "body") VALUES ('outage', 'technical', 'Технический сбой', $tpl${{приветствие}}

Сейчас на портале технический сбой: некоторые услуги работают с перебоями. Специалисты уже устраняют его, повторно обращаться не нужно. Сохранённые черновики и поданные заявления не пропадут.

Когда работа восстановится, мы сообщим об этом по обращению № {{номер}}.

С уважением,
{{оператор|Служба поддержки}}$tpl$) ON CONFLICT ("shipped_key") DO NOTHING;
