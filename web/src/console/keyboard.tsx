// The console's keyboard: a shift can be worked without the mouse. `j`/`k` move through a list (the queue, the chat
// inbox), `Enter` opens, `r` answers, `n` writes a note, `e` escalates, `Ctrl+Enter` sends, `u` goes back to the queue,
// `/` searches and `?` lists them all. Keys are matched by their place on the keyboard (the event's code), so they work
// the same in the Russian layout. Nothing fires while the employee types in a field (but Ctrl+Enter, which sends
// what they typed) or while a dialog is open. Each page asks for its keys with a hook; the pages' own controls do the
// work (the page's links, buttons and fields, marked with `data-shortcut`), so a key does what a click would.
import { useEffect, useRef, useState } from "react";
import { type Options, useHotkeys } from "react-hotkeys-hook";
import { navigate } from "../router.tsx";
import "./keyboard.css";

/** What the help dialog lists, in the order of a shift. */
export const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ["j"], what: "Следующее обращение или чат в списке" },
  { keys: ["k"], what: "Предыдущее обращение или чат в списке" },
  { keys: ["Enter"], what: "Открыть выбранное" },
  { keys: ["r"], what: "Ответить заявителю" },
  { keys: ["n"], what: "Написать внутреннюю заметку" },
  { keys: ["Ctrl", "Enter"], what: "Отправить ответ или заметку" },
  { keys: ["e"], what: "Передать обращение в подразделение" },
  { keys: ["u"], what: "Вернуться к очереди" },
  { keys: ["/"], what: "Поиск по очереди" },
  { keys: ["?"], what: "Список сочетаний клавиш" },
];

// Single-key shortcuts can be switched off (WCAG 2.1.4: speech input and some screen readers type letters), in the
// help dialog; the choice is kept in this browser. Ctrl+Enter stays: it is no single key.
const OFF = "otklik.shortcuts.off";
const singleKeysOn = () => {
  try {
    return window.localStorage.getItem(OFF) !== "1";
  } catch {
    return true;
  }
};
// Shortcuts rest while a modal dialog is open: its fields and buttons have the keyboard.
const noDialog = () => !document.querySelector("dialog[open]");
const KEY: Options = { preventDefault: true, enabled: () => singleKeysOn() && noDialog() };

/** Says something to screen readers through the console's polite live region (KeyboardHelp renders it). */
export function announce(text: string) {
  const region = document.getElementById("kbd-live");
  if (!region) return;
  // The same words twice are still heard: the region is emptied first.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

const shortcut = (name: string) => document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);

// Where the queue was left: the list it showed and the request opened last, so that «u» comes back to the same
// place and «j» goes on to the next one.
const memory = { queue: "/console", number: null as string | null, index: 0, focusSearch: false };

/**
 * j/k over a list's items (`selector`, each with `data-number` or `data-kbd-item`), focusing the item's link or
 * button (its focus ring shows where one is) and announcing the position; Enter on a focused link or button opens it
 * as a click would, and with nothing focused opens the selected item.
 */
function useListKeys(selector: string, describe: (item: HTMLElement) => string, onSelect?: (index: number) => void) {
  const selected = useRef<HTMLElement | null>(null);
  const items = () => [...document.querySelectorAll<HTMLElement>(selector)];
  const target = (item: HTMLElement) => item.querySelector<HTMLElement>("a, button") ?? item;

  const select = (item: HTMLElement | undefined, all: HTMLElement[]) => {
    if (!item) return;
    for (const i of all) i.removeAttribute("data-kbd-selected");
    item.setAttribute("data-kbd-selected", "true");
    selected.current = item;
    onSelect?.(all.indexOf(item));
    target(item).focus();
    item.scrollIntoView?.({ block: "nearest" });
    announce(`${describe(item)}, ${all.indexOf(item) + 1} из ${all.length}`);
  };
  const current = (all: HTMLElement[]) => {
    const focused = all.findIndex((i) => i.contains(document.activeElement));
    if (focused >= 0) return focused;
    return selected.current ? all.indexOf(selected.current) : -1;
  };
  const move = (delta: number) => {
    const all = items();
    if (all.length === 0) return;
    const at = current(all);
    select(all[at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + delta))], all);
  };

  useHotkeys("j", () => move(1), KEY);
  useHotkeys("k", () => move(-1), KEY);
  useHotkeys(
    "enter",
    (e) => {
      // A focused link or button opens by itself.
      if ((document.activeElement as HTMLElement | null)?.closest("a, button, summary")) return;
      const item = selected.current;
      if (!item) return;
      e.preventDefault();
      target(item).click();
    },
    { enabled: () => singleKeysOn() && noDialog() },
  );

  return { select, items };
}

/** The queue's keys: j/k/Enter over the rows, / to the search box; coming back, the last request is selected again. */
export function useQueueShortcuts(rows: readonly { number: string }[] | undefined) {
  const list = useListKeys(
    ".queue-table tbody tr[data-number]",
    (row) =>
      `Обращение ${row.querySelector("a")?.textContent ?? ""}: ${row.querySelector(".queue-table__line")?.textContent?.trim() ?? ""}`,
    (index) => {
      memory.index = index;
    },
  );
  const select = useRef(list.select);
  select.current = list.select;
  useHotkeys(
    "slash",
    () => {
      shortcut("search")?.focus();
    },
    KEY,
  );
  memory.queue = window.location.pathname + window.location.search;

  // Once the rows are there: the search asked for from another page, or the request that was open.
  useEffect(() => {
    if (!rows) return;
    if (memory.focusSearch) {
      memory.focusSearch = false;
      shortcut("search")?.focus();
      return;
    }
    if (memory.number === null) return;
    const all = [...document.querySelectorAll<HTMLElement>(".queue-table tbody tr[data-number]")];
    const same = all.find((r) => r.dataset.number === memory.number);
    // Gone from the list (passed to a department out of sight): the row that took its place.
    select.current(same ?? all[Math.min(memory.index, all.length - 1)], all);
    memory.number = null;
  }, [rows]);
}

/** The request page's keys: r and n open the reply box for an answer or a note, e escalates, u goes back. */
export function useRequestShortcuts(number: string) {
  const write = (to: "public" | "note") => {
    const box = shortcut("reply-body");
    if (!box) return;
    box.dataset.mode = to;
    box.focus();
    announce(
      to === "public"
        ? "Ответ заявителю. Ctrl+Enter — отправить."
        : "Внутренняя заметка, её увидят только сотрудники. Ctrl+Enter — сохранить.",
    );
  };
  useHotkeys("r", () => write("public"), KEY);
  useHotkeys("n", () => write("note"), KEY);
  useHotkeys("e", () => shortcut("escalate")?.click(), KEY);
  useHotkeys("u", () => backToQueue(number), KEY);
  useHotkeys("slash", () => backToQueue(number, true), KEY);
  // Ctrl+Enter sends from the reply box, as what r or n opened it for.
  useHotkeys(
    "ctrl+enter, meta+enter",
    () => {
      const box = shortcut("reply-body");
      if (!box || document.activeElement !== box) return;
      shortcut(box.dataset.mode === "note" ? "send-note" : "send-public")?.click();
    },
    { enableOnFormTags: ["textarea"], preventDefault: true, enabled: noDialog },
  );
}

function backToQueue(number: string, focusSearch = false) {
  memory.number = number;
  memory.focusSearch = focusSearch;
  navigate(memory.queue);
}

/** The chat inbox's keys: j/k/Enter over my chats, r to the open chat's reply field, u to the queue. */
export function useChatInboxShortcuts() {
  useListKeys("[data-kbd-item='chat']", (item) => `Чат: ${item.querySelector("button")?.textContent ?? ""}`);
  useHotkeys(
    "r",
    () => {
      shortcut("chat-reply")?.focus();
      announce("Ответ в чат. Enter или Ctrl+Enter — отправить.");
    },
    KEY,
  );
  useHotkeys("u", () => navigate(memory.queue), KEY);
}

/**
 * `?` anywhere in the console: the list of shortcuts in a modal dialog (Esc or the button closes it, focus goes back
 * where it was). Also the console's live region for what the keys do.
 */
export function KeyboardHelp() {
  const ref = useRef<HTMLDialogElement>(null);
  const [on, setOn] = useState(singleKeysOn);
  useHotkeys("shift+slash", () => ref.current?.showModal(), KEY);
  const toggle = (next: boolean) => {
    try {
      if (next) window.localStorage.removeItem(OFF);
      else window.localStorage.setItem(OFF, "1");
    } catch {
      // A browser that keeps nothing: the choice lasts until the page is reloaded.
    }
    setOn(next);
  };
  return (
    <>
      <p id="kbd-live" className="visually-hidden" aria-live="polite" />
      <p className="kbd-open">
        <button type="button" className="button button--small button--ghost" onClick={() => ref.current?.showModal()}>
          Сочетания клавиш
        </button>
      </p>
      <dialog ref={ref} className="dialog" aria-labelledby="kbd-title">
        <h2 id="kbd-title">Сочетания клавиш</h2>
        <p className="muted">Работают, когда курсор не в поле ввода. Ctrl+Enter работает и в поле ответа.</p>
        <label className="checkbox">
          <input type="checkbox" checked={on} onChange={(e) => toggle(e.target.checked)} />
          <span>Клавиши из одной буквы включены</span>
        </label>
        <dl className="kbd-list">
          {SHORTCUTS.map((s) => (
            <div key={s.what}>
              <dt>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && " + "}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <form method="dialog" className="actions">
          <button type="submit" className="button">
            Закрыть
          </button>
        </form>
      </dialog>
    </>
  );
}
