// Types of `frames.js`, which stays JavaScript so that the child process (run from the sources
// without a loader) can import it; packages that type-check these sources without `allowJs`
// read this file instead.
import type { ChildMessage, ParentMessage } from './child-messages.js';

export function encodeChildMessage(message: ChildMessage): string;
export function encodeParentMessage(message: ParentMessage): string;
/** A frame from the child as the value its JSON stands for (untrusted), or undefined. */
export function decodeChildFrame(frame: string): unknown;
export function decodeParentFrame(frame: string): ParentMessage | undefined;

/** Split a stream of text into lines, keeping at most `maxChars` of an unfinished one. */
export class LineReader {
  constructor(onLine: (line: string) => void, onOverflow: () => void, maxChars: number);
  onLine: (line: string) => void;
  onOverflow: () => void;
  maxChars: number;
  overflowed: boolean;
  push(chunk: string): void;
}
