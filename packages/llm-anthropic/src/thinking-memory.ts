import type Anthropic from '@anthropic-ai/sdk';

type ThinkingParam = Anthropic.ThinkingBlockParam | Anthropic.RedactedThinkingBlockParam;

/**
 * Current Claude models think before tool calls, and the API wants those thinking blocks sent
 * back, unmodified, with the assistant turn that holds the tool calls. The port's messages carry
 * no provider data, so the adapter remembers the blocks by tool call id and puts them back when
 * that assistant turn is sent again. Bounded: the oldest entries are forgotten first.
 */
export class ThinkingMemory {
  private readonly byToolCallId = new Map<string, ThinkingParam[]>();

  constructor(private readonly capacity = 512) {}

  /** Remember the thinking blocks of a response that called tools. */
  remember(content: readonly Anthropic.ContentBlock[]): void {
    const thinking: ThinkingParam[] = [];
    for (const block of content) {
      if (block.type === 'thinking')
        thinking.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
      if (block.type === 'redacted_thinking') thinking.push({ type: 'redacted_thinking', data: block.data });
    }
    if (thinking.length === 0) return;
    for (const block of content) {
      if (block.type !== 'tool_use') continue;
      this.byToolCallId.set(block.id, thinking);
      if (this.byToolCallId.size > this.capacity) {
        const oldest = this.byToolCallId.keys().next().value;
        if (oldest !== undefined) this.byToolCallId.delete(oldest);
      }
    }
  }

  /** The thinking blocks that preceded these tool calls, if remembered. */
  recall(toolCallIds: readonly string[]): ThinkingParam[] {
    for (const id of toolCallIds) {
      const blocks = this.byToolCallId.get(id);
      if (blocks) return blocks;
    }
    return [];
  }
}
