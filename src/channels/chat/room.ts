// The chat room: the widget's and the console's WebSocket, the chatbot, the operators' queue.
import type { AppContext } from "../../context.ts";
import { saidInChat } from "../../notifications/policy.ts";
import type { ChannelAdapter } from "../../requests/core/index.ts";
import type { Room } from "../../room.ts";
import { deliverToChat } from "./deliver.ts";
import { chatRoutes } from "./routes.ts";
import { chatSettings } from "./settings.ts";
import { closeHub, openChat } from "./state.ts";

/** The chat's adapter of the request core: what is said on the request reaches the applicant's open chat. */
export const chatChannel = (ctx: AppContext): ChannelAdapter => ({
  channel: "chat",
  // An answer typed in the chat is in it already, and a request has one chat at most (the chat registers it).
  reaches: (d) => d.kind === "message.public" && !saidInChat(d),
  deliver: (d) => deliverToChat(ctx, d),
});

export const chatRoom: Room = {
  name: "chat",
  // The chatbot answers from the knowledge base; operators' hours come from the production calendar.
  needs: ["knowledge", "directory"],
  provides: ["chat"],
  async start(ctx) {
    chatSettings(ctx); // fails at start on a wrong OTKLIK_CHAT_* variable
    openChat(ctx);
    ctx.requests.addChannel(chatChannel(ctx));
    return () => closeHub(ctx);
  },
  routes: chatRoutes,
};
