import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JsonValue } from '@webtasks/core';
import type { WebTaskResult } from '@webtasks/protocol';

type Content = CallToolResult['content'][number];

/** Text content is cut here; the whole value is in `structuredContent`. */
const MAX_TEXT = 16 * 1024;

/** A tool error the model can act on. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function jsonText(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}\n… (${text.length} characters in all: the whole value is in the structured content)`
    : text;
}

interface FileLike {
  url: string;
  contentType: string;
  sizeBytes?: number;
  name?: string;
  /** Set on files the task downloaded (FileRefs). */
  sha256?: string;
  expiresAt?: string;
}

function isFileLike(value: unknown): value is FileLike {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && /^https?:\/\//.test(v.url) && typeof v.contentType === 'string';
}

/** Files referenced in an output (objects with a signed `url` and a `contentType`), at most `limit`. */
function filesIn(value: JsonValue, found: FileLike[], limit: number, depth = 0): void {
  if (found.length >= limit || depth > 8 || value === null || typeof value !== 'object') return;
  if (isFileLike(value)) {
    found.push(value);
    return;
  }
  for (const child of Array.isArray(value) ? value : Object.values(value))
    filesIn(child, found, limit, depth + 1);
}

function resourceLink(file: FileLike, fallbackName: string, description: string): Content {
  return {
    type: 'resource_link',
    uri: file.url,
    name: file.name ?? fallbackName,
    mimeType: file.contentType,
    description,
    ...(typeof file.sizeBytes === 'number' ? { size: file.sizeBytes } : {}),
  };
}

/** Resource links of a result: the result file, and files the output references. */
function linksOf(result: WebTaskResult): Content[] {
  if (result.status !== 'completed' || result.outcome !== 'success') return [];
  if (result.result.type === 'file') {
    return [
      resourceLink(
        result.result.file,
        `${result.webTaskId}.json`,
        `The whole output of ${result.webTaskId} (signed URL, expires ${result.result.file.expiresAt})`,
      ),
    ];
  }
  const files: FileLike[] = [];
  filesIn(result.result.data as JsonValue, files, 50);
  return files.map((file, index) =>
    resourceLink(
      file,
      `file-${index + 1}`,
      typeof file.sha256 === 'string'
        ? `A file ${result.webTaskId} downloaded (SHA-256 ${file.sha256}; signed URL, expires ${file.expiresAt})`
        : `A file stored by ${result.webTaskId}`,
    ),
  );
}

function failureText(result: WebTaskResult): string | undefined {
  if (result.status !== 'completed') {
    return `Web task ${result.webTaskId} is still ${result.status}: call get_web_task_result with this webTaskId to wait for it.`;
  }
  if (result.outcome === 'failed') {
    return `Web task ${result.webTaskId} failed (${result.error.code}): ${result.error.message}`;
  }
  return undefined;
}

/** `run_web_task` / `get_web_task_result`: the result object as structured content. */
export function webTaskToolResult(result: WebTaskResult): CallToolResult {
  const failure = failureText(result);
  return {
    content: [
      { type: 'text', text: failure ? `${failure}\n${jsonText(result)}` : jsonText(result) },
      ...linksOf(result),
    ],
    structuredContent: result as unknown as Record<string, unknown>,
    ...(result.status === 'completed' && result.outcome === 'failed' ? { isError: true } : {}),
  };
}

/** An automation tool: the output under `data` (or `file` + `preview` when large). */
export function automationToolResult(result: WebTaskResult): CallToolResult {
  if (result.status !== 'completed') {
    return {
      content: [{ type: 'text', text: failureText(result) ?? '' }],
      structuredContent: { webTaskId: result.webTaskId },
    };
  }
  if (result.outcome === 'failed') return toolError(failureText(result) ?? 'The automation failed.');
  const payload = result.result;
  const structured: Record<string, unknown> =
    payload.type === 'inline'
      ? { webTaskId: result.webTaskId, data: payload.data }
      : {
          webTaskId: result.webTaskId,
          file: payload.file,
          ...(payload.preview ? { preview: payload.preview } : {}),
        };
  const text =
    payload.type === 'inline'
      ? jsonText(payload.data)
      : `The output is large: it is in the linked file (${payload.file.sizeBytes} bytes of JSON).${payload.preview ? `\n${payload.preview.rowCount} rows; first ones:\n${jsonText(payload.preview.sample)}` : ''}`;
  return { content: [{ type: 'text', text }, ...linksOf(result)], structuredContent: structured };
}
