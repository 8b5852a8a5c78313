import { WebtasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserSession } from '../ports/browser.js';
import type { IdGenerator } from '../ports/clock.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import type { HostCall, SandboxHost, SandboxLogEntry } from '../ports/sandbox.js';
import type { OutputValidator } from '../validation/output-validator.js';
import { checkHostCall } from './host-call-check.js';
import type { MeteredModel } from './metered-model.js';

/** A file the code stored, as it appears in the output. */
export interface StoredFileRef {
  fileId: string;
  name: string;
  contentType: string;
  sizeBytes: number;
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
  maxDownloads?: number;
  maxDownloadBytes?: number;
  onLog?: (entry: SandboxLogEntry) => void;
}

/** The host plus what it observed during the run. */
export interface RunHost extends SandboxHost {
  /** Files stored during the run. */
  readonly files: StoredFileRef[];
  /** The first policy denial the code ran into (makes a failure `rejected`, not a bug). */
  readonly policyError: WebtasksError | undefined;
  /** An error no repair can fix (credits spent, model key rejected), which ends the task. */
  readonly fatalError: WebtasksError | undefined;
}

const FATAL_CODES = new Set(['no-ai-credits-left', 'model-auth', 'invalid-config']);

function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return cleaned || 'file';
}

/**
 * The engine's side of the sandbox bridge for one run: page commands go to the browser
 * session, downloads land in the blob store under the workspace, `ai.*` calls are billed
 * to the run. Every call is shape-checked first: generated code is untrusted.
 */
export function createRunHost(options: RunHostOptions): RunHost {
  const files: StoredFileRef[] = [];
  let policyError: WebtasksError | undefined;
  let fatalError: WebtasksError | undefined;
  let downloadedBytes = 0;
  const maxDownloads = options.maxDownloads ?? 500;
  const maxDownloadBytes = options.maxDownloadBytes ?? 1024 * 1024 * 1024;

  async function handle(call: HostCall, signal?: AbortSignal): Promise<JsonValue> {
    const opts = signal ? { signal } : {};
    switch (call.kind) {
      case 'page':
        return options.session.execute({ command: call.command, ...opts });
      case 'files.download': {
        if (files.length >= maxDownloads) {
          throw new WebtasksError({
            code: 'rejected',
            message: `This run already downloaded ${maxDownloads} files, the most one run may store.`,
          });
        }
        const file = await options.session.download({ trigger: call.trigger, ...opts });
        downloadedBytes += file.body.byteLength;
        if (downloadedBytes > maxDownloadBytes) {
          throw new WebtasksError({
            code: 'rejected',
            message: `Downloads of this run exceed ${Math.round(maxDownloadBytes / 1048576)} MiB, the most one run may store.`,
          });
        }
        const fileId = options.ids.next('file');
        const name = safeFileName(call.name ?? file.suggestedName);
        const key = `${options.workspaceId}/files/${options.webTaskId}/${fileId}-${name}`;
        await options.blobs.put({ key, body: file.body, contentType: file.contentType, ...opts });
        const ref: StoredFileRef = {
          fileId,
          name,
          contentType: file.contentType,
          sizeBytes: file.body.byteLength,
          sourceUrl: file.url,
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
          throw new WebtasksError({
            code: 'model-error',
            message: 'ai.extract: the model did not return data',
          });
        }
        const value: JsonValue = schema.type === 'object' ? toolCall.input : (toolCall.input.value ?? null);
        const check = options.validator.validate(call.schema, value);
        if (!check.ok)
          throw new WebtasksError({ code: 'model-error', message: `ai.extract: ${check.message}` });
        return value;
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
          throw new WebtasksError({
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
        if (WebtasksError.hasCode(error, 'policy-denied')) policyError ??= error;
        if (WebtasksError.isInstance(error) && FATAL_CODES.has(error.code)) fatalError ??= error;
        throw error;
      }
    },
  };
}
