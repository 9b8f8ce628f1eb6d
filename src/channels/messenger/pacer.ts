// The messenger's flood limits kept on our side, so that the provider's 429 stays the exception: at most `perSecond`
// messages a second overall and `perChatPerSecond` in one chat, and a pause for everyone when the provider asked to
// wait. One pacer per driver per process.

/** A second and a little more: the provider counts from when a message arrives, which is later than it left. */
const WINDOW_MS = 1100;

export class Pacer {
  private readonly overall: number[] = [];
  private readonly perChat = new Map<string, number[]>();
  private pausedUntil = 0;

  constructor(
    private readonly perSecond: number,
    private readonly perChatPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long to wait before a message to this chat may go (0: now); takes the slot when it is 0. */
  private claim(chatId: string): number {
    const t = this.now();
    const since = t - WINDOW_MS;
    while (this.overall.length && this.overall[0]! <= since) this.overall.shift();
    const chat = (this.perChat.get(chatId) ?? []).filter((x) => x > since);
    let wait = Math.max(0, this.pausedUntil - t);
    if (this.overall.length >= this.perSecond) wait = Math.max(wait, this.overall[0]! + WINDOW_MS - t);
    if (chat.length >= this.perChatPerSecond) wait = Math.max(wait, chat[0]! + WINDOW_MS - t);
    if (wait === 0) {
      this.overall.push(t);
      chat.push(t);
    }
    if (chat.length) this.perChat.set(chatId, chat);
    else this.perChat.delete(chatId);
    return wait;
  }

  async slot(chatId: string): Promise<void> {
    for (;;) {
      const wait = this.claim(chatId);
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** The provider said to wait: nothing goes before then. */
  pause(seconds: number) {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + seconds * 1000);
  }
}
