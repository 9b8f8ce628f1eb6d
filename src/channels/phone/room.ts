// The phone room: call events from the PBX, the screen pop and call screen, the IVR and the wallboard.
import type { Room } from "../../room.ts";
import { inviteByIvr } from "./rating.ts";
import { phoneRoutes } from "./routes.ts";
import { phoneFeed } from "./stream.ts";

export const phoneRoom: Room = {
  name: "phone",
  // Lines and their hours come from the directory; the IVR reads application statuses through the portal.
  needs: ["directory", "portal"],
  async start(ctx) {
    // A resolution that reaches the caller by no letter and no SMS is asked about on their next call.
    ctx.requests.addChannel({
      channel: "phone",
      reaches: (d, r) => d.kind === "resolved" && r.hasPhone,
      deliver: (d) => inviteByIvr(ctx, d),
    });
  },
  routes: phoneRoutes,
  feeds: (ctx) => ({ phone: phoneFeed(ctx) }),
};
