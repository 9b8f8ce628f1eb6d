// One live stream per console tab. Each room offers feeds (request changes, calls, one's notifications); the console
// hears all of them over a single Server-Sent Events connection, because a browser keeps at most six HTTP/1.1
// connections to one host: three streams per tab left a second tab with no connection for its API calls.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "./access.ts";
import { errors } from "./errors.ts";
import { type Feed, type FeedFactory, openStaffStream } from "./sse.ts";

export async function consoleStreamRoutes(
  fastify: FastifyInstance,
  { ctx, feeds }: { ctx: AppContext; feeds: Map<string, FeedFactory> },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/console/stream",
    {
      config: { access: "staff" },
      schema: {
        summary:
          "Единый живой поток консоли (Server-Sent Events): события `update` с полем `feed` — requests, phone, notifications",
        tags: ["staff"],
        querystring: Type.Object({
          feeds: Type.Optional(
            Type.String({ maxLength: 200, description: "Имена потоков через запятую; по умолчанию все" }),
          ),
        }),
      },
    },
    async (req, reply) => {
      const names = req.query.feeds ? req.query.feeds.split(",").map((n) => n.trim()) : [...feeds.keys()];
      const unknown = names.filter((n) => !feeds.has(n));
      if (unknown.length > 0) {
        throw errors.validation(`Неизвестный поток «${unknown[0]}». Есть: ${[...feeds.keys()].join(", ")}.`, {
          field: "feeds",
        });
      }
      const user = staffOf(req);
      const chosen: [string, Feed][] = [];
      for (const name of new Set(names)) chosen.push([name, await feeds.get(name)!(user)]);
      openStaffStream(ctx, req, reply, async (e, stream) => {
        for (const [feed, pick] of chosen) {
          const data = await pick(e);
          if (data) stream.send("update", { ...data, feed });
        }
      });
    },
  );
}
