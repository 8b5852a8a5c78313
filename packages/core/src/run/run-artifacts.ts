import type { RunArtifact } from '@webtasks/protocol';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserSession } from '../ports/browser.js';
import type { IdGenerator, Logger } from '../ports/clock.js';

/** Largest page HTML kept at a failure; longer pages are cut (and say so at the end). */
export const MAX_FAILURE_HTML_BYTES = 2 * 1024 * 1024;
/** Largest Playwright trace kept; a larger one is dropped with a warning in the logs. */
export const DEFAULT_MAX_TRACE_BYTES = 50 * 1024 * 1024;

/** Where one run's artifacts go. */
export interface ArtifactTarget {
  blobs: BlobStore;
  ids: IdGenerator;
  logger: Logger;
  workspaceId: string;
  webTaskId: string;
}

/** The blob key prefix of a task's artifacts: deleted together when the run expires. */
export function runArtifactPrefix(workspaceId: string, webTaskId: string): string {
  return `${workspaceId}/runs/${webTaskId}/`;
}

async function store(
  target: ArtifactTarget,
  kind: RunArtifact['kind'],
  extension: string,
  contentType: string,
  body: Uint8Array,
): Promise<RunArtifact> {
  const key = `${runArtifactPrefix(target.workspaceId, target.webTaskId)}${target.ids.next(kind)}.${extension}`;
  const { sizeBytes } = await target.blobs.put({ key, body, contentType });
  return { key, kind, contentType, sizeBytes };
}

/**
 * A screenshot and the HTML of the page where a run failed. Best effort: a page that
 * cannot be captured (closed, crashed) yields what could be captured, never an error.
 */
export async function captureFailureArtifacts(
  target: ArtifactTarget,
  session: BrowserSession,
): Promise<RunArtifact[]> {
  const artifacts: RunArtifact[] = [];
  try {
    const png = await session.screenshot();
    artifacts.push(await store(target, 'screenshot', 'png', 'image/png', png));
  } catch (error) {
    target.logger.debug('no screenshot at the failure', { error: String(error) });
  }
  try {
    const html = await session.execute({ command: { target: 'page', op: 'content', args: [] } });
    if (typeof html === 'string') {
      let bytes = new TextEncoder().encode(html);
      if (bytes.byteLength > MAX_FAILURE_HTML_BYTES) {
        const marker = new TextEncoder().encode(
          `\n<!-- webtasks: cut at ${MAX_FAILURE_HTML_BYTES} of ${bytes.byteLength} bytes -->\n`,
        );
        const cut = new Uint8Array(MAX_FAILURE_HTML_BYTES + marker.byteLength);
        cut.set(bytes.subarray(0, MAX_FAILURE_HTML_BYTES));
        cut.set(marker, MAX_FAILURE_HTML_BYTES);
        bytes = cut;
      }
      artifacts.push(await store(target, 'html', 'html', 'text/html; charset=utf-8', bytes));
    }
  } catch (error) {
    target.logger.debug('no HTML at the failure', { error: String(error) });
  }
  return artifacts;
}

/** Keep a Playwright trace zip (openable with `npx playwright show-trace`) if within the bound. */
export async function storeTrace(
  target: ArtifactTarget,
  trace: Uint8Array,
  maxBytes: number,
): Promise<RunArtifact | undefined> {
  if (trace.byteLength > maxBytes) {
    target.logger.warn('the Playwright trace is larger than the limit and was not kept', {
      sizeBytes: trace.byteLength,
      maxBytes,
    });
    return undefined;
  }
  return store(target, 'trace', 'zip', 'application/zip', trace);
}
