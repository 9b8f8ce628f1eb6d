// What the request form's suggestions led to, reported per form visit (a random id, no personal data):
// articles shown, articles opened, and at the end whether the form was sent or left. A visit that opened an
// article and left without sending counts as deflected (the statistics count it on the server).
import { randomId } from "../api/client.ts";

export type SuggestionEvent = "shown" | "opened" | "submitted" | "left";

function post(visit: string, kind: SuggestionEvent, slugs?: string[]) {
  const body = JSON.stringify({ visit, kind, ...(slugs ? { slugs } : {}) });
  const url = "/api/v1/kb/suggestions/events";
  // A beacon survives the page being closed, which is exactly when «left» is sent.
  if (navigator.sendBeacon?.(url, new Blob([body], { type: "application/json" }))) return;
  void fetch(url, { method: "POST", body, headers: { "content-type": "application/json" }, keepalive: true }).catch(
    () => {},
  );
}

export class FormVisit {
  readonly id = randomId();
  private shown = new Set<string>();
  private opened = false;
  private ended = false;

  show(slugs: string[]) {
    const fresh = slugs.filter((s) => !this.shown.has(s));
    if (fresh.length === 0 || this.ended) return;
    for (const s of fresh) this.shown.add(s);
    post(this.id, "shown", fresh);
  }

  open(slug: string) {
    this.opened = true;
    post(this.id, "opened", [slug]);
  }

  /** The visit is over: `sent` when the form went off; only visits that saw suggestions are reported. */
  end(sent: boolean) {
    if (this.ended || this.shown.size === 0) return;
    if (!sent && !this.opened) return;
    this.ended = true;
    post(this.id, sent ? "submitted" : "left");
  }
}
