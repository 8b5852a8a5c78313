import { createHash } from 'node:crypto';

/** One block of a prompt, in the order the provider reads them (tools, system, messages). */
export interface PromptBlock {
  /** The block's content, serialised without cache markers. */
  content: string;
  /** The request marks this block with `cache_control`. */
  breakpoint?: boolean;
}

/** How a request's input tokens split between the cache and fresh input. */
export interface CacheOutcome {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Options of the prompt cache simulation. */
export interface PromptCacheOptions {
  /** Prefixes shorter than this many (estimated) tokens are never cached. Default 0. */
  minTokens?: number;
  /** Turn the simulation off: every token is uncached input. Default true. */
  enabled?: boolean;
}

/** Token estimate of the fakes: one token per 4 characters, at least one per block. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Simulates a provider's prompt cache over prefixes of blocks, per model.
 *
 * - `explicit` follows Anthropic: only prefixes ending at a `cache_control` breakpoint are written;
 *   a later request reads the longest cached prefix found at a breakpoint or up to 20 block
 *   boundaries before one; tokens between that hit and the last breakpoint are written.
 * - `automatic` follows OpenAI-style automatic prefix caching (vLLM, OpenAI): every prefix is
 *   remembered and the longest one seen before is read; nothing is reported as written.
 */
export class PromptCacheSimulator {
  private readonly stored = new Set<string>();
  private readonly minTokens: number;
  private readonly enabled: boolean;

  constructor(options: PromptCacheOptions = {}) {
    this.minTokens = options.minTokens ?? 0;
    this.enabled = options.enabled ?? true;
  }

  /** Anthropic-style caching at explicit breakpoints. */
  explicit(model: string, blocks: PromptBlock[]): CacheOutcome {
    const { hashes, tokens, total } = prefixes(model, blocks);
    const breakpoints = blocks
      .map((block, index) => (block.breakpoint ? index : -1))
      .filter((index) => index >= 0 && (tokens[index] ?? 0) >= this.minTokens);
    if (!this.enabled || breakpoints.length === 0) {
      return { inputTokens: total, cacheReadTokens: 0, cacheWriteTokens: 0 };
    }
    let hit = -1;
    for (const breakpoint of breakpoints) {
      for (let index = breakpoint; index >= Math.max(0, breakpoint - 20); index--) {
        if (this.stored.has(hashes[index]!)) {
          hit = Math.max(hit, index);
          break;
        }
      }
    }
    const last = breakpoints[breakpoints.length - 1]!;
    for (const breakpoint of breakpoints) this.stored.add(hashes[breakpoint]!);
    const cacheReadTokens = hit >= 0 ? tokens[hit]! : 0;
    const cachedUpTo = tokens[last]!;
    return {
      inputTokens: total - Math.max(cachedUpTo, cacheReadTokens),
      cacheReadTokens,
      cacheWriteTokens: Math.max(0, cachedUpTo - cacheReadTokens),
    };
  }

  /** Automatic prefix caching: the longest previously seen prefix is read. */
  automatic(model: string, blocks: PromptBlock[]): CacheOutcome {
    const { hashes, tokens, total } = prefixes(model, blocks);
    if (!this.enabled) return { inputTokens: total, cacheReadTokens: 0, cacheWriteTokens: 0 };
    let cacheReadTokens = 0;
    hashes.forEach((hash, index) => {
      if (this.stored.has(hash) && tokens[index]! >= this.minTokens) cacheReadTokens = tokens[index]!;
    });
    for (const hash of hashes) this.stored.add(hash);
    return { inputTokens: total - cacheReadTokens, cacheReadTokens, cacheWriteTokens: 0 };
  }
}

function prefixes(
  model: string,
  blocks: PromptBlock[],
): { hashes: string[]; tokens: number[]; total: number } {
  const hashes: string[] = [];
  const tokens: number[] = [];
  let hash = createHash('sha256').update(model).digest('hex');
  let total = 0;
  for (const block of blocks) {
    hash = createHash('sha256').update(hash).update('\u0000').update(block.content).digest('hex');
    total += estimateTokens(block.content);
    hashes.push(hash);
    tokens.push(total);
  }
  return { hashes, tokens, total };
}
