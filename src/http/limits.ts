// The limits an applicant's browser must know before it sends anything: how many files, how large. Read from the
// configuration, so the web form, the tracking page and the chat widget never promise more than the server takes.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { chatSettings } from "../channels/chat/settings.ts";
import type { AppContext } from "../context.ts";

const Limits = Type.Object({
  attachments: Type.Object({
    maxFiles: Type.Integer({ description: "файлов в одном сообщении (OTKLIK_MAX_ATTACHMENTS)" }),
    maxFileBytes: Type.Integer({ description: "наибольший файл, байт (OTKLIK_MAX_ATTACHMENT_BYTES)" }),
  }),
  chat: Type.Object({
    maxFileBytes: Type.Integer({ description: "наибольший файл в чате, байт (OTKLIK_CHAT_MAX_FILE_MB)" }),
  }),
});

export async function limitsRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/limits",
    {
      config: { access: "public" },
      schema: {
        summary: "Ограничения на файлы: сколько и какого размера",
        tags: ["service"],
        response: { 200: Limits },
      },
    },
    async (_req, reply) => {
      // The chat widget asks from any site that embeds /widget.js; the answer holds nothing private.
      reply.header("access-control-allow-origin", "*");
      return {
        attachments: { maxFiles: ctx.config.maxAttachments, maxFileBytes: ctx.config.maxAttachmentBytes },
        chat: { maxFileBytes: chatSettings(ctx).maxFileBytes },
      };
    },
  );
}
