import type { CallOptions, JsonObject, JsonSchema } from './common.js';

/** Plain text produced by the model or sent by the user. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** An image sent to the model (a screenshot), base64-encoded. */
export interface ImagePart {
  type: 'image';
  mediaType: 'image/png' | 'image/jpeg';
  /** Base64 without a data: prefix. */
  data: string;
}

/** The model asks for a tool to be run. */
export interface ToolCallPart {
  type: 'tool-call';
  /** Provider-assigned id, echoed back in the matching tool result. */
  id: string;
  /** Name of one of the tools offered in the request. */
  name: string;
  /** Arguments, as parsed JSON. */
  input: JsonObject;
}

/** The result of a tool call, sent back in the next user message. */
export interface ToolResultPart {
  type: 'tool-result';
  /** The id of the tool call this answers. */
  toolCallId: string;
  /** What the tool produced, as text (JSON is serialised by the caller). */
  content: string;
  /** The tool failed; `content` says why. */
  isError?: boolean;
}

/** One message of the conversation. */
export type ModelMessage =
  | { role: 'user'; content: Array<TextPart | ImagePart | ToolResultPart> }
  | { role: 'assistant'; content: Array<TextPart | ToolCallPart> };

/** A block of the system prompt. */
export interface SystemBlock {
  text: string;
  /**
   * Marks the end of a stable prefix (system prompt + runtime declaration) that providers
   * with prompt caching may cache. Adapters without caching ignore it.
   */
  cache?: boolean;
}

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the tool's input object. */
  inputSchema: JsonSchema;
}

/** Tokens used by one call; all four are counted in `cost.aiUsd`. */
export interface TokenUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cacheReadTokens: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens: number;
}

/** Why the model stopped. */
export type StopReason = 'end' | 'tool-calls' | 'max-tokens' | 'refusal' | 'other';

/** Options of one model call. */
export interface GenerateOptions extends CallOptions {
  /** A model alias (`haiku`, `sonnet`, `opus`) or a concrete model id; adapters map aliases. */
  model: string;
  system: SystemBlock[];
  messages: ModelMessage[];
  tools?: ToolDefinition[];
  /** Upper bound on output tokens for this call. */
  maxOutputTokens?: number;
  temperature?: number;
}

/** What one model call returned. */
export interface GenerateResult {
  content: Array<TextPart | ToolCallPart>;
  stopReason: StopReason;
  usage: TokenUsage;
  /** The concrete model id that answered (used for pricing). */
  modelId: string;
  /** The provider's request id, for support tickets. */
  requestId?: string;
}

/**
 * One model call: system, messages and tools in; content blocks, stop reason and token
 * usage out. Adapters throw a WebTasksError: `model-auth` for a rejected key,
 * `model-not-found` for an unknown model, `model-unavailable` when retries ran out.
 */
export interface LanguageModel {
  readonly specificationVersion: 'v1';
  /** Short provider name for logs and errors, e.g. `anthropic`. */
  readonly provider: string;
  /** Make one call. */
  generate(options: GenerateOptions): Promise<GenerateResult>;
}
