import { isFatalError, WebTasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserSession } from '../ports/browser.js';
import type { IdGenerator } from '../ports/clock.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import type { HostCall, SandboxHost, SandboxLogEntry } from '../ports/sandbox.js';
import { missingSecretError, type SecretRedactor } from '../secrets/redaction.js';
import { totpCode } from '../secrets/totp.js';
import type { OutputValidator } from '../validation/output-validator.js';
import { checkHostCall } from './host-call-check.js';
import type { MeteredModel } from './metered-model.js';
import { type DownloadBudget, storeDownload } from './store-download.js';

/** A file the code stored, as it appears in the output. */
export interface StoredFileRef {
  fileId: string;
  name: string;
  contentType: string;
  sizeBytes: number;
  /** SHA-256 of the bytes, lowercase hex (what a caller checks the download against). */
  sha256: string;
  sourceUrl: string;
}

/** Options of `createRunHost`. */
export interface RunHostOptions {
  session: BrowserSession;
  blobs: BlobStore;
  workspaceId: string;
  webTaskId: string;
  ids: IdGenerator;
  model: MeteredModel;
  /** Model alias or id used for `ai.*` helpers. */
  modelName: string;
  validator: OutputValidator;
  /** Files one run may store. Default 500. */
  maxDownloads?: number;
  /** Bytes the downloads of one run may store, counted while they stream. Default 1 GiB. */
  maxDownloadBytes?: number;
  onLog?: (entry: SandboxLogEntry) => void;
  /** The task's secrets, for `ctx.secrets.totp` (placeholders are replaced by the browser wrapper). */
  secrets?: SecretRedactor;
}

/** The host plus what it observed during the run. */
export interface RunHost extends SandboxHost {
  /** Files stored during the run. */
  readonly files: StoredFileRef[];
  /** The first policy denial the code ran into (makes a failure `rejected`, not a bug). */
  readonly policyError: WebTasksError | undefined;
  /** An error no repair can fix (credits spent, model key rejected), which ends the task. */
  readonly fatalError: WebTasksError | undefined;
}

/** The blob key of a file a run of `webTaskId` downloaded (its FileRef's `fileId` and `name`). */
export function downloadedFileKey(file: {
  workspaceId: string;
  webTaskId: string;
  fileId: string;
  name: string;
}): string {
  return `${file.workspaceId}/files/${file.webTaskId}/${file.fileId}-${file.name}`;
}

/** A file name as the host stores it: letters, digits, `._-`, no leading dot, at most 120. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return cleaned || 'file';
}

/**
 * The engine's side of the sandbox bridge for one run: page commands go to the browser
 * session, downloads stream into the blob store under the workspace (hashed, counted against
 * the run's byte budget), `ai.*` calls are billed to the run. Every call is shape-checked first: generated code is untrusted.
 */
export function createRunHost(options: RunHostOptions): RunHost {
  const files: StoredFileRef[] = [];
  let policyError: WebTasksError | undefined;
  let fatalError: WebTasksError | undefined;
  let downloading = 0;
  const maxDownloads = options.maxDownloads ?? 500;
  const budget: DownloadBudget = { maxBytes: options.maxDownloadBytes ?? 1024 * 1024 * 1024, usedBytes: 0 };

  async function handle(call: HostCall, signal?: AbortSignal): Promise<JsonValue> {
    const opts = signal ? { signal } : {};
    switch (call.kind) {
      case 'page':
        return options.session.execute({ command: call.command, ...opts });
      case 'files.download': {
        if (files.length + downloading >= maxDownloads) {
          throw new WebTasksError({
            code: 'rejected',
            message: `This run already downloaded ${maxDownloads} files, the most one run may store.`,
          });
        }
        const fileId = options.ids.next('file');
        let name = 'file';
        downloading += 1;
        let stored: Awaited<ReturnType<typeof storeDownload>>;
        try {
          stored = await storeDownload({
            session: options.session,
            blobs: options.blobs,
            trigger: call.trigger,
            budget,
            key: (suggestedName) => {
              name = safeFileName(call.name ?? suggestedName);
              return downloadedFileKey({ ...options, fileId, name });
            },
            ...opts,
          });
        } finally {
          downloading -= 1;
        }
        const ref: StoredFileRef = {
          fileId,
          name,
          contentType: stored.contentType,
          sizeBytes: stored.sizeBytes,
          sourceUrl: stored.url,
          sha256: stored.sha256,
        };
        files.push(ref);
        return { ...ref };
      }
      case 'ai.extract': {
        const schema = call.schema as JsonObject;
        const wrapped =
          schema.type === 'object'
            ? schema
            : { type: 'object', properties: { value: schema }, required: ['value'] };
        const result = await options.model.generate({
          model: options.modelName,
          system: [
            {
              text: 'You extract structured data from the text or HTML you are given. Answer only by calling the `result` tool with data that matches its schema. Use null for what the input does not contain; never invent values.',
            },
          ],
          messages: [
            {
              role: 'user',
              content: [
                {
                  type: 'text',
                  text: `${call.instructions ? `${call.instructions}\n\n` : ''}Input:\n${call.input.slice(0, 200_000)}`,
                },
              ],
            },
          ],
          tools: [{ name: 'result', description: 'Return the extracted data.', inputSchema: wrapped }],
          maxOutputTokens: 4096,
          ...opts,
        });
        const toolCall = result.content.find((part) => part.type === 'tool-call');
        if (toolCall?.type !== 'tool-call') {
          throw new WebTasksError({
            code: 'model-error',
            message: 'ai.extract: the model did not return data',
          });
        }
        const value: JsonValue = schema.type === 'object' ? toolCall.input : (toolCall.input.value ?? null);
        const check = options.validator.validate(call.schema, value);
        if (!check.ok)
          throw new WebTasksError({ code: 'model-error', message: `ai.extract: ${check.message}` });
        return value;
      }
      case 'secrets.totp': {
        const seed = options.secrets?.value(call.name);
        if (seed === undefined) throw missingSecretError(call.name);
        return totpCode({ name: call.name, seed, timestampMs: Date.now() });
      }
      case 'ai.classify': {
        const result = await options.model.generate({
          model: options.modelName,
          system: [
            {
              text: 'You classify the input into exactly one of the given labels by calling the `label` tool.',
            },
          ],
          messages: [
            {
              role: 'user',
              content: [
                {
                  type: 'text',
                  text: `${call.instructions ? `${call.instructions}\n\n` : ''}Labels: ${call.labels.join(', ')}\n\nInput:\n${call.input.slice(0, 100_000)}`,
                },
              ],
            },
          ],
          tools: [
            {
              name: 'label',
              description: 'The chosen label.',
              inputSchema: {
                type: 'object',
                properties: { label: { enum: call.labels } },
                required: ['label'],
              },
            },
          ],
          maxOutputTokens: 256,
          ...opts,
        });
        const toolCall = result.content.find((part) => part.type === 'tool-call');
        const label = toolCall?.type === 'tool-call' ? toolCall.input.label : undefined;
        if (typeof label !== 'string' || !call.labels.includes(label)) {
          throw new WebTasksError({
            code: 'model-error',
            message: 'ai.classify: the model did not pick one of the labels',
          });
        }
        return label;
      }
    }
  }

  return {
    files,
    get policyError() {
      return policyError;
    },
    get fatalError() {
      return fatalError;
    },
    onLog: options.onLog,
    async call(request, callOptions) {
      try {
        return await handle(checkHostCall(request), callOptions?.signal);
      } catch (error) {
        if (WebTasksError.hasCode(error, 'policy-denied')) policyError ??= error;
        if (WebTasksError.isInstance(error) && isFatalError(error)) fatalError ??= error;
        throw error;
      }
    },
  };
}
