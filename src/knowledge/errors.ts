// Errors of the knowledge base, each with a stable code the CLI and the HTTP layer can map.
export type KnowledgeErrorCode =
  | "kb.front_matter_missing"
  | "kb.front_matter_invalid"
  | "kb.field_invalid"
  | "kb.duplicate_slug";

export class KnowledgeError extends Error {
  constructor(
    readonly code: KnowledgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KnowledgeError";
  }
}
