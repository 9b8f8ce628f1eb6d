// Beside the web form: what happens next, faster ways than waiting, and a warning about passwords and codes.
export function FormAside() {
  return (
    <aside className="form-aside" aria-label="Как это работает">
      <section className="card">
        <h2 className="card__title">Что будет дальше</h2>
        <ol className="steps">
          <li>Сразу после отправки — номер обращения и ссылка, по которой виден ответ.</li>
          <li>Оператор ответит, обычно в течение одного рабочего дня. Точный срок покажем после отправки.</li>
          <li>Ответ появится на странице обращения и придёт на почту, если вы её укажете.</li>
        </ol>
      </section>
      <section className="card">
        <h2 className="card__title">Быстрее, чем ждать ответа</h2>
        <p className="card__text">
          Ответы на частые вопросы — в <a href="/help">справке</a>. Если вопрос срочный,{" "}
          <a href="/contacts">позвоните нам</a>.
        </p>
      </section>
      <section className="card card--warning">
        <h2 className="card__title">Берегите свои данные</h2>
        <p className="card__text">
          Сотрудники поддержки никогда не спрашивают пароль и коды из СМС. Не пишите их в обращении.
        </p>
      </section>
    </aside>
  );
}
