// The messengers room: the drivers of the messengers that are on (each messenger's room adds its own, Telegram's in
// src/channels/telegram/), and the one job that sends a chat's queue through the driver of the chat's messenger.
import type { Room } from "../../room.ts";
import { MESSENGER_SEND_TOPIC, sendQueue } from "./outbound.ts";
import type { MessengerDriver } from "./port.ts";

export const messengerRoom: Room = {
  name: "messengers",
  provides: ["messengers"],
  async start(ctx) {
    ctx.services.provide("messengers", new Map<string, MessengerDriver>());
  },
  jobs: (ctx) => ({
    [MESSENGER_SEND_TOPIC]: (e) => sendQueue(ctx, ctx.services.get("messengers"), Number(e.data.contactId)),
  }),
};
