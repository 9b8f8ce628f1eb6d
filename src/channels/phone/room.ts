// The phone room: call events from the PBX, the screen pop and call screen, the IVR and the wallboard.
import type { Room } from "../../rooms.ts";
import { phoneRoutes } from "./routes.ts";
import { phoneFeed } from "./stream.ts";

export const phoneRoom: Room = { name: "phone", routes: phoneRoutes, feeds: (ctx) => ({ phone: phoneFeed(ctx) }) };
