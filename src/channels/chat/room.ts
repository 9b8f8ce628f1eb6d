// The chat room: the widget's and the console's WebSocket, the chatbot, the operators' queue.
import type { Room } from "../../rooms.ts";
import { deliverToChat } from "./deliver.ts";
import { chatRoutes } from "./routes.ts";
import { chatSettings } from "./settings.ts";
import { closeHub, hubOf } from "./state.ts";

export const chatRoom: Room = {
  name: "chat",
  async start(ctx) {
    chatSettings(ctx); // fails at start on a wrong OTKLIK_CHAT_* variable
    hubOf(ctx);
    ctx.requests.addChannel({ channel: "chat", deliver: (d) => deliverToChat(ctx, d) });
  },
  async stop(ctx) {
    closeHub(ctx);
  },
  routes: chatRoutes,
};
