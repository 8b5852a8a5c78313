import { type DownloadedFile, downloadedFilesIn, type WebTaskResult } from '@webtasks/protocol';
import { WebTasksApiError, WebTasksConnectionError } from './errors.js';
import type { TransportOptions } from './transport.js';

/** Lowercase hex SHA-256 of `bytes` (Web Crypto: Node 20+, browsers, edge runtimes). */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The files a task downloaded (a batch of CSVs, a PDF receipt). Every one in a result's output
 * carries a signed URL valid 7 days, its size, content type and SHA-256; these helpers find
 * them and fetch their bytes, checked against the SHA-256.
 *
 * Signed URLs need no API key, so none is sent with them (they may point at an object store).
 */
export class Files {
  readonly #transport: TransportOptions;

  constructor(transport: TransportOptions) {
    this.#transport = transport;
  }

  /**
   * The downloaded files a completed result references, inline or inside its result file
   * (fetched to read them). Empty for a failed or unfinished task.
   */
  async list(result: WebTaskResult, options: { signal?: AbortSignal } = {}): Promise<DownloadedFile[]> {
    if (result.status !== 'completed' || result.outcome !== 'success') return [];
    if (result.result.type === 'inline') return downloadedFilesIn(result.result.data);
    const { file } = result.result;
    const bytes = await this.#get(file.url, `the result file of ${result.webTaskId}`, options.signal);
    return downloadedFilesIn(JSON.parse(new TextDecoder().decode(bytes)));
  }

  /**
   * The bytes of one downloaded file. Throws `WebTasksApiError` with code `file-expired` when
   * the URL is past `expiresAt` (read the result again for fresh ones after a re-run),
   * `file-corrupt` when the bytes do not match `sizeBytes` and `sha256`.
   */
  async fetch(file: DownloadedFile, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    if (Date.parse(file.expiresAt) <= Date.now()) {
      throw new WebTasksApiError({
        status: 403,
        code: 'file-expired',
        message: `The URL of ${file.name} expired at ${file.expiresAt}: signed URLs of downloaded files last 7 days after the task completed.`,
      });
    }
    const bytes = await this.#get(file.url, file.name, options.signal);
    const sha256 = await sha256Hex(bytes);
    if (bytes.byteLength !== file.sizeBytes || sha256 !== file.sha256) {
      throw new WebTasksApiError({
        status: 200,
        code: 'file-corrupt',
        message: `${file.name} arrived with ${bytes.byteLength} bytes and SHA-256 ${sha256}, but the task stored ${file.sizeBytes} bytes with SHA-256 ${file.sha256}: fetch it again.`,
      });
    }
    return bytes;
  }

  async #get(url: string, what: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await this.#transport.fetch(url, signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new WebTasksConnectionError(`Could not fetch ${what} from ${new URL(url).origin}.`, {
        cause: error,
      });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new WebTasksApiError({
        status: response.status,
        code: response.status === 403 ? 'file-expired' : response.status === 404 ? 'not-found' : 'file-error',
        message: `Fetching ${what} answered HTTP ${response.status}${response.status === 403 ? ': the signed URL expired or is invalid (read the result again)' : ''}.`,
      });
    }
    return new Uint8Array(await response.arrayBuffer());
  }
}
