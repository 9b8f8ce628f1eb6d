// If a page fails to render, say so in Russian and offer a way on, instead of leaving a blank screen.
import { Component, type ReactNode } from "react";

export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="container site-main">
        <h1>Страница не открылась</h1>
        <p>Произошла ошибка при показе страницы. Обновите её; если ошибка повторится, позвоните нам.</p>
        <p className="actions">
          <a className="button" href={window.location.pathname}>
            Обновить страницу
          </a>
          <a className="button button--secondary" href="/contacts">
            Телефоны поддержки
          </a>
        </p>
      </main>
    );
  }
}
