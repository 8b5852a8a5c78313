// @ts-check
// The wire between the parent and an isolate child: one frame per line on a socket pair (the
// child's fd 3). A host call and its reply are the hot path, sent as short text frames without
// a JSON envelope around the call's own JSON; every other message is a JSON frame. Plain
// JavaScript so that the child (which runs from the sources without a loader) shares it.
//
//   c<runId> <callId> <request JSON>          child → parent, a host call
//   r<runId> <callId> 1<result JSON>          parent → child, a host call's result
//   r<runId> <callId> 0<error message, JSON>  parent → child, a host call's failure
//   j<message JSON>                           either way, every other message
//
// JSON.stringify never writes a raw line break, so frames built from its output need no
// escaping; the request text of a call comes from the isolate and is escaped (a raw line break
// is not valid JSON anyway, so the call stays as malformed as it was).

/**
 * @import { ChildMessage, ParentMessage } from './child-messages.js'
 */

/**
 * The frame of a message from the child.
 * @param {ChildMessage} message
 * @returns {string}
 */
export function encodeChildMessage(message) {
  if (message.type === 'call') {
    const json = message.json.includes('\n') ? message.json.replaceAll('\n', '\\n') : message.json;
    return `c${message.runId} ${message.callId} ${json}\n`;
  }
  return `j${JSON.stringify(message)}\n`;
}

/**
 * The frame of a message from the parent.
 * @param {ParentMessage} message
 * @returns {string}
 */
export function encodeParentMessage(message) {
  if (message.type === 'reply') {
    const body = message.ok ? `1${message.json}` : `0${JSON.stringify(message.message)}`;
    return `r${message.runId} ${message.callId} ${body}\n`;
  }
  return `j${JSON.stringify(message)}\n`;
}

/**
 * The two ids after a frame's type letter and the text after them, or undefined when the frame
 * does not have that shape.
 * @param {string} frame
 * @returns {{ runId: number, callId: number, rest: string } | undefined}
 */
function idsAndRest(frame) {
  const first = frame.indexOf(' ');
  const second = first < 0 ? -1 : frame.indexOf(' ', first + 1);
  if (second < 0) return undefined;
  const runId = toId(frame.slice(1, first));
  const callId = toId(frame.slice(first + 1, second));
  if (runId === undefined || callId === undefined) return undefined;
  return { runId, callId, rest: frame.slice(second + 1) };
}

/**
 * @param {string} text
 * @returns {number | undefined}
 */
function toId(text) {
  if (text.length === 0 || text.length > 16 || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A frame from the child, as the value its JSON stands for: still untrusted, to be checked by
 * `parseChildMessage`. Undefined when the frame is malformed.
 * @param {string} frame
 * @returns {unknown}
 */
export function decodeChildFrame(frame) {
  if (frame[0] === 'c') {
    const parts = idsAndRest(frame);
    return parts && { type: 'call', runId: parts.runId, callId: parts.callId, json: parts.rest };
  }
  return frame[0] === 'j' ? parseJson(frame.slice(1)) : undefined;
}

/**
 * A frame from the parent (which the child trusts), or undefined when it is malformed.
 * @param {string} frame
 * @returns {ParentMessage | undefined}
 */
export function decodeParentFrame(frame) {
  if (frame[0] === 'r') {
    const parts = idsAndRest(frame);
    if (!parts) return undefined;
    const { runId, callId, rest } = parts;
    if (rest[0] === '1') return { type: 'reply', runId, callId, ok: true, json: rest.slice(1) };
    const message = parseJson(rest.slice(1));
    return { type: 'reply', runId, callId, ok: false, message: typeof message === 'string' ? message : '' };
  }
  return frame[0] === 'j' ? /** @type {ParentMessage | undefined} */ (parseJson(frame.slice(1))) : undefined;
}

/**
 * Split a stream of text into lines, keeping at most `maxChars` of an unfinished one.
 */
export class LineReader {
  /** @type {string[]} */
  #pending = [];
  #pendingChars = 0;

  /**
   * @param {(line: string) => void} onLine
   * @param {() => void} onOverflow called once a line grows past the limit; the rest is dropped
   * @param {number} maxChars
   */
  constructor(onLine, onOverflow, maxChars) {
    this.onLine = onLine;
    this.onOverflow = onOverflow;
    this.maxChars = maxChars;
    this.overflowed = false;
  }

  /** @param {string} chunk */
  push(chunk) {
    if (this.overflowed) return;
    let start = 0;
    let end = chunk.indexOf('\n');
    while (end >= 0) {
      let line = chunk.slice(start, end);
      if (this.#pending.length > 0) {
        this.#pending.push(line);
        line = this.#pending.join('');
        this.#pending = [];
        this.#pendingChars = 0;
      }
      if (line.length > this.maxChars) return this.#overflow();
      this.onLine(line);
      if (this.overflowed) return;
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.#pendingChars += chunk.length - start;
      if (this.#pendingChars > this.maxChars) return this.#overflow();
      this.#pending.push(start === 0 ? chunk : chunk.slice(start));
    }
  }

  #overflow() {
    this.overflowed = true;
    this.#pending = [];
    this.#pendingChars = 0;
    this.onOverflow();
  }
}
