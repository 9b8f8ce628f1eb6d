import type { ReactNode } from "react";
import { ChatButton } from "../chat/ChatButton.tsx";
import { Link, useTitle } from "../router.tsx";

export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Перейти к содержанию
      </a>
      <header className="site-header">
        <div className="container site-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              О
            </span>
            <span>Служба поддержки</span>
          </Link>
          <nav aria-label="Разделы" className="site-nav">
            <a href="/help">Справка</a>
            <a href="/contacts">Контакты</a>
            <ChatButton className="site-nav__chat" />
          </nav>
        </div>
      </header>
      <main id="main" className="container site-main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>
            Служба поддержки портала государственных услуг. <a href="/contacts">Телефоны и часы работы</a>
          </p>
        </div>
      </footer>
    </>
  );
}

export function NotFoundPage() {
  useTitle("Страница не найдена — Служба поддержки");
  return (
    <section className="narrow">
      <h1>Страница не найдена</h1>
      <p>Проверьте адрес или начните с главной страницы службы поддержки.</p>
      <p>
        <Link to="/" className="button">
          На главную
        </Link>
      </p>
    </section>
  );
}
