import { WebTasksError } from '@webtasks/core';
import type { BrowserContext, Page } from 'playwright-core';
import { PREFIX } from './errors.js';

/** Limits of what one session may open in the Chromium that every tenant of the worker shares. */
export interface SessionCaps {
  /** Pages (the first one and popups) open at once. */
  maxPagesPerSession: number;
  /** Frames (the main frame and every iframe, nested ones too) of one page. */
  maxFramesPerPage: number;
}

/** The `budget-exhausted` error of a session that went over one of its caps. */
export function capError(message: string): WebTasksError {
  return new WebTasksError({ code: 'budget-exhausted', message: `${PREFIX} ${message}` });
}

/**
 * Enforce the caps on a session's context: a popup over `maxPagesPerSession` is closed at once;
 * a page that goes over `maxFramesPerPage` ends the whole session (its context is closed, which
 * frees the renderer's memory at once). Either way `onViolation` gets the error that the
 * session's commands then fail with.
 */
export function enforceSessionCaps(
  context: BrowserContext,
  caps: SessionCaps,
  onViolation: (error: WebTasksError) => void,
): void {
  let violated = false;
  const violate = (error: WebTasksError, close: () => Promise<unknown>) => {
    if (!violated) onViolation(error);
    violated = true;
    close().catch(() => {});
  };
  const watchFrames = (page: Page) => {
    page.on('frameattached', () => {
      if (page.frames().length <= caps.maxFramesPerPage) return;
      violate(
        capError(
          `the page ${page.url().slice(0, 200)} has more than ${caps.maxFramesPerPage} frames (maxFramesPerPage; WEBTASKS_MAX_FRAMES_PER_PAGE on the server): the session was closed to protect the shared browser`,
        ),
        () => context.close(),
      );
    });
  };
  for (const page of context.pages()) watchFrames(page);
  context.on('page', (page) => {
    if (context.pages().length > caps.maxPagesPerSession) {
      violate(
        capError(
          `the session opened more than ${caps.maxPagesPerSession} pages (popups; maxPagesPerSession, WEBTASKS_MAX_PAGES_PER_SESSION on the server): the extra pages were closed`,
        ),
        () => page.close(),
      );
      return;
    }
    watchFrames(page);
  });
}

/** Marks the page-side error of a result over the limit. */
export const RESULT_TOO_LARGE = 'webtasks-result-too-large';

/**
 * The source of a page function that runs `source` and refuses its result in the page when it
 * holds more than `maxChars` characters (strings and keys; numbers and the like count 8), so an
 * oversized result is never serialised and sent to the worker.
 */
export function boundedPageFunctionSource(source: string, maxChars: number): string {
  return `async (...args) => {
  const value = await (${source})(...args);
  const max = ${maxChars};
  let size = 0;
  const seen = new Set();
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length;
    else if (item !== null && typeof item === 'object') {
      if (seen.has(item)) continue;
      seen.add(item);
      if (typeof Node !== 'undefined' && item instanceof Node) size += 16;
      else for (const key of Object.keys(item)) { size += key.length + 8; stack.push(item[key]); }
    } else size += 8;
    if (size > max) throw new Error('${RESULT_TOO_LARGE}: the result holds more than ' + max + ' characters');
  }
  return value;
}`;
}

/** Run an evaluation whose page function refuses oversized results; say so with a code. */
export async function bounded<T>(op: string, maxChars: number, evaluate: () => Promise<T>): Promise<T> {
  try {
    return await evaluate();
  } catch (error) {
    if (!String((error as Error)?.message).includes(RESULT_TOO_LARGE)) throw error;
    throw capError(
      `${op}: the result holds more than ${maxChars} characters (maxResultBytes; WEBTASKS_MAX_REPLY_BYTES on the server); it was refused in the page: return less (a part, a count, fewer items per call)`,
    );
  }
}
