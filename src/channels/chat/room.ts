// The chat room: the widget's and the console's WebSocket, the chatbot, the operators' queue.
import type { Room } from "../../room.ts";
import { deliverToChat } from "./deliver.ts";
import { chatRoutes } from "./routes.ts";
import { chatSettings } from "./settings.ts";
import { closeHub, openChat } from "./state.ts";

export const chatRoom: Room = {
  name: "chat",
  // The chatbot answers from the knowledge base; operators' hours come from the production calendar.
  needs: ["knowledge", "directory"],
  provides: ["chat"],
  async start(ctx) {
    chatSettings(ctx); // fails at start on a wrong OTKLIK_CHAT_* variable
    openChat(ctx);
    ctx.requests.addChannel({
      channel: "chat",
      reaches: (d) => d.kind === "message.public",
      deliver: (d) => deliverToChat(ctx, d),
    });
    return () => closeHub(ctx);
  },
  routes: chatRoutes,
};
