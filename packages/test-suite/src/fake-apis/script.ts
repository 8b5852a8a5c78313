import type { JsonObject } from '@webtasks/core';

/**
 * The script format shared by the fake model APIs (and meant for the in-process scripted model):
 * a list of replies, one per request, or a function of the request. Each fake turns a reply into
 * its own wire format, so one test can say "reply with tool call X, then text Y" to any of them.
 */

/** Token counts a reply reports. Missing fields are simulated from the request and the reply. */
export interface FakeUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadTokens: number;
  /** Input tokens written to the prompt cache (not reported by OpenAI-compatible servers). */
  cacheWriteTokens: number;
}

interface FakeReplyCommon {
  /** Override the simulated usage, field by field. */
  usage?: Partial<FakeUsage>;
  /** Wait this long before answering (to test timeouts and aborts). */
  delayMs?: number;
}

/** Answer with text. */
export interface FakeTextReply extends FakeReplyCommon {
  type: 'text';
  text: string;
  /** Why the model stopped; defaults to `end`. */
  stopReason?: 'end' | 'max-tokens' | 'refusal';
  /** A thinking block emitted before the text (Anthropic only). */
  thinking?: string;
}

/** One tool call of a `tool-calls` reply. */
export interface FakeToolCall {
  /** Defaults to a generated provider-style id (`toolu_…` / `call_…`). */
  id?: string;
  name: string;
  input: JsonObject;
  /** OpenAI only: send this string as `function.arguments` instead of `JSON.stringify(input)`. */
  rawArguments?: string;
}

/** Answer with tool calls (and optionally some text before them). */
export interface FakeToolCallsReply extends FakeReplyCommon {
  type: 'tool-calls';
  calls: FakeToolCall[];
  text?: string;
  /** A thinking block emitted before the content (Anthropic only). */
  thinking?: string;
}

/** Error kinds every fake maps to its provider's status code and error body. */
export type FakeErrorKind =
  | 'invalid-request'
  | 'auth'
  | 'permission'
  | 'not-found'
  | 'rate-limit'
  | 'overloaded'
  | 'server';

/** Fail the request (or the next `times` requests) with an API error. */
export interface FakeErrorReply {
  type: 'error';
  error: FakeErrorKind;
  /** The error message in the body; each fake has a realistic default. */
  message?: string;
  /** Adds a `retry-after` header (seconds). */
  retryAfterSeconds?: number;
  /** Repeat this error for this many consecutive requests (default 1). */
  times?: number;
  delayMs?: number;
}

/** One scripted answer. */
export type FakeReply = FakeTextReply | FakeToolCallsReply | FakeErrorReply;

/** A provider-neutral view of a request, given to script functions and kept with each recorded request. */
export interface FakeRequestView {
  model: string;
  /** System prompt blocks, in order. */
  system: string[];
  /** Names of the tools offered. */
  toolNames: string[];
  messages: FakeMessageView[];
}

/** One message of a `FakeRequestView`. */
export interface FakeMessageView {
  role: 'user' | 'assistant';
  /** All text parts joined with a newline. */
  text: string;
  toolCalls: Array<{ id: string; name: string; input: unknown }>;
  toolResults: Array<{ toolCallId: string; content: string; isError: boolean }>;
  imageCount: number;
}

/** A script: replies in order, or a function answering each request (it may return several replies). */
export type FakeScript = FakeReply | FakeReply[] | ((request: FakeRequestView) => FakeReply | FakeReply[]);

/** Builders for scripted replies. */
export const fakeReply = {
  /** Reply with text. */
  text(text: string, extra: Omit<FakeTextReply, 'type' | 'text'> = {}): FakeTextReply {
    return { type: 'text', text, ...extra };
  },
  /** Reply with one tool call. */
  toolCall(
    name: string,
    input: JsonObject,
    extra: Omit<FakeToolCallsReply, 'type' | 'calls'> & { id?: string } = {},
  ): FakeToolCallsReply {
    const { id, ...rest } = extra;
    return { type: 'tool-calls', calls: [{ name, input, ...(id === undefined ? {} : { id }) }], ...rest };
  },
  /** Reply with several tool calls. */
  toolCalls(
    calls: FakeToolCall[],
    extra: Omit<FakeToolCallsReply, 'type' | 'calls'> = {},
  ): FakeToolCallsReply {
    return { type: 'tool-calls', calls, ...extra };
  },
  /** Fail with an API error, e.g. `fakeReply.error('overloaded', { times: 2 })`. */
  error(error: FakeErrorKind, extra: Omit<FakeErrorReply, 'type' | 'error'> = {}): FakeErrorReply {
    return { type: 'error', error, ...extra };
  },
};

/** The queue of scripted replies behind a fake server. */
export class FakeScriptQueue {
  private readonly queue: FakeReply[] = [];
  private responder: ((request: FakeRequestView) => FakeReply | FakeReply[]) | undefined;

  /** Append replies (expanding `times`), or install a function used once the queue is empty. */
  push(script: FakeScript): void {
    if (typeof script === 'function') {
      this.responder = script;
      return;
    }
    for (const reply of Array.isArray(script) ? script : [script]) this.append(reply);
  }

  /** Replies still queued. */
  get pending(): number {
    return this.queue.length;
  }

  /** The reply for this request, or undefined when the script is exhausted. */
  next(request: FakeRequestView): FakeReply | undefined {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    if (this.responder === undefined) return undefined;
    const produced = this.responder(request);
    const replies = Array.isArray(produced) ? produced : [produced];
    const [first, ...rest] = replies.flatMap((reply) => expand(reply));
    this.queue.unshift(...rest);
    return first;
  }

  private append(reply: FakeReply): void {
    this.queue.push(...expand(reply));
  }
}

function expand(reply: FakeReply): FakeReply[] {
  if (reply.type !== 'error' || reply.times === undefined || reply.times <= 1) return [reply];
  const { times, ...single } = reply;
  return Array.from({ length: times }, () => ({ ...single }));
}
