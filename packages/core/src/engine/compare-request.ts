import type { Bundle } from '../ports/bundle-store.js';
import type { JsonSchema } from '../ports/common.js';
import type { TaskRequest } from '../ports/task-store.js';

/** The task text of a version imported without one (see bundles/admin.ts). */
export const IMPORTED_TASK = '(imported)';

/** JSON with object keys sorted, so two schemas that differ only in key order compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  );
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > 80 ? `${flat.slice(0, 77)}…` : flat}"`;
}

/**
 * What a request on an existing reuse key asks that differs from the saved version: the
 * schema the saved code's output is held to (the caller's, when given) and notes for the
 * result (`reuse.notes`) so a difference is never silently ignored.
 */
export function compareWithSaved(
  request: Pick<TaskRequest, 'task' | 'outputSchema'>,
  saved: Pick<Bundle, 'version' | 'task' | 'outputSchema'>,
): { outputSchema: JsonSchema; notes: string[] } {
  const notes: string[] = [];
  let outputSchema = saved.outputSchema;
  if (
    request.outputSchema !== undefined &&
    canonical(request.outputSchema) !== canonical(saved.outputSchema)
  ) {
    outputSchema = request.outputSchema;
    notes.push(
      `The request's outputSchema differs from the one saved with v${saved.version}: the saved code's output was checked against the request's schema (a repair, when one is needed, is saved with it).`,
    );
  }
  // An import without a task text ('(imported)') has nothing to compare with.
  if (saved.task !== IMPORTED_TASK && request.task.trim() !== saved.task.trim()) {
    notes.push(
      `The task text differs from the one v${saved.version} was written for (${quote(saved.task)}): the saved code ran unchanged. A different job needs its own reuse key.`,
    );
  }
  return { outputSchema, notes };
}
