/** Model ids of the server for the aliases the engine uses (`haiku`, `sonnet`, `opus`). */
export interface OpenAICompatibleModelAliases {
  haiku: string;
  sonnet: string;
  opus: string;
}

/** Normalise the `models` option: one id serves every alias. */
export function toAliases(models: OpenAICompatibleModelAliases | string): OpenAICompatibleModelAliases {
  return typeof models === 'string' ? { haiku: models, sonnet: models, opus: models } : { ...models };
}

/** The served model id for an alias; anything else is taken as a model id and passed through. */
export function resolveModelId(requested: string, aliases: OpenAICompatibleModelAliases): string {
  return requested === 'haiku' || requested === 'sonnet' || requested === 'opus'
    ? aliases[requested]
    : requested;
}
