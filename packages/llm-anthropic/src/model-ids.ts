/** Concrete Claude model ids for the aliases the engine uses (`haiku`, `sonnet`, `opus`). */
export interface AnthropicModelAliases {
  haiku: string;
  sonnet: string;
  opus: string;
}

/**
 * Current models as of 2026-11-29 (platform.claude.com/docs/en/about-claude/models/overview):
 * Claude Haiku 5.5, Sonnet 5.5 and Opus 5.5.
 */
export const DEFAULT_ANTHROPIC_MODELS: Readonly<AnthropicModelAliases> = Object.freeze({
  haiku: 'claude-haiku-5-5',
  sonnet: 'claude-sonnet-5-5',
  opus: 'claude-opus-5-5',
});

/** The concrete id for an alias; anything else is taken as a concrete id and passed through. */
export function resolveModelId(requested: string, aliases: AnthropicModelAliases): string {
  return requested === 'haiku' || requested === 'sonnet' || requested === 'opus'
    ? aliases[requested]
    : requested;
}
