import type { RunEventEntry, RunLogLine, RunRecord } from '@webtasks/protocol';
import type { TaskEvent } from '../engine-api.js';

/** Bounds of a run record, so a chatty or hostile run can never make it unbounded. */
export const RUN_RECORD_LIMITS = {
  /** Log lines kept (the last ones). */
  logLines: 1000,
  /** Bytes of log messages kept (the last ones). */
  logBytes: 256 * 1024,
  /** Longest single log message; longer ones are cut with a marker. */
  logLineBytes: 8 * 1024,
  /** Events kept for replay (the last ones). */
  events: 2000,
  /** Model calls and agent steps kept (the last ones). */
  entries: 1000,
} as const;

/** An empty record for a task, before its first event. */
export function emptyRunRecord(workspaceId: string, webTaskId: string, at: string): RunRecord {
  return {
    webTaskId,
    workspaceId,
    deliveries: 0,
    phases: [],
    attempts: [],
    logs: { lines: [], bytes: 0, droppedLines: 0, truncated: false },
    modelCalls: [],
    agentSteps: [],
    artifacts: [],
    events: [],
    eventsDropped: 0,
    updatedAt: at,
  };
}

/** Cut a message to `maxBytes` of UTF-8, saying how long it was. */
export function cutMessage(message: string, maxBytes: number = RUN_RECORD_LIMITS.logLineBytes): string {
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes <= maxBytes) return message;
  const kept = Buffer.from(message, 'utf8')
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${kept}… [cut: the line had ${bytes} bytes]`;
}

function pushBounded<T>(list: T[], item: T, max: number): number {
  list.push(item);
  const excess = list.length - max;
  if (excess > 0) list.splice(0, excess);
  return Math.max(0, excess);
}

function addLog(record: RunRecord, line: RunLogLine): void {
  const logs = record.logs;
  const entry = { ...line, message: cutMessage(line.message) };
  logs.lines.push(entry);
  logs.bytes += Buffer.byteLength(entry.message, 'utf8');
  while (logs.lines.length > RUN_RECORD_LIMITS.logLines || logs.bytes > RUN_RECORD_LIMITS.logBytes) {
    const dropped = logs.lines.shift();
    if (!dropped) break;
    logs.bytes -= Buffer.byteLength(dropped.message, 'utf8');
    logs.droppedLines += 1;
    logs.truncated = true;
  }
}

function phaseLabel(record: RunRecord, event: Extract<TaskEvent, { type: 'phase' }>): string {
  switch (event.phase) {
    case 'running-saved':
      return event.version === undefined ? 'running saved code' : `running saved v${event.version}`;
    case 'running-candidate': {
      const attempt = lastAttemptEvent(record);
      return attempt ? `running candidate ${attempt.attempt}/${attempt.of}` : 'running candidate';
    }
    default:
      return event.phase;
  }
}

function lastAttemptEvent(record: RunRecord): { attempt: number; of: number; kind: string } | undefined {
  for (let index = record.events.length - 1; index >= 0; index -= 1) {
    const event = record.events[index]?.event;
    if (event?.type === 'attempt') return event as unknown as { attempt: number; of: number; kind: string };
  }
  return undefined;
}

/**
 * Fold one task event into the record (mutating it) and keep the event for replay under the
 * next sequence number. Returns the stored entry.
 */
export function applyRunEvent(record: RunRecord, event: TaskEvent, at: string): RunEventEntry {
  const { webTaskId: _omit, ...body } = event;
  switch (event.type) {
    case 'phase':
      record.phases.push({ phase: event.phase, label: phaseLabel(record, event), at });
      if (event.version !== undefined) record.bundleVersion = event.version;
      break;
    case 'attempt': {
      const last = record.phases[record.phases.length - 1];
      if (last && (last.phase === 'exploring' || last.phase === 'repairing'))
        last.label = `${last.phase} ${event.attempt}/${event.of}`;
      break;
    }
    case 'agent-step':
      pushBounded(
        record.agentSteps,
        {
          at,
          turn: event.turn,
          tool: event.tool,
          input: event.input ?? '',
          result: event.summary,
          isError: event.isError ?? false,
        },
        RUN_RECORD_LIMITS.entries,
      );
      break;
    case 'model-call': {
      const { type: _type, webTaskId: _id, ...call } = event;
      pushBounded(record.modelCalls, { at, ...call }, RUN_RECORD_LIMITS.entries);
      break;
    }
    case 'log':
      addLog(record, { at, level: event.level, message: event.message });
      break;
    case 'run-result': {
      const attempt = event.kind === 'candidate' ? lastAttemptEvent(record) : undefined;
      record.attempts.push({
        kind: event.kind ?? 'candidate',
        ...(attempt
          ? { mode: attempt.kind as 'explore' | 'repair', attempt: attempt.attempt, of: attempt.of }
          : {}),
        ...(event.kind === 'saved' && event.version !== undefined ? { bundleVersion: event.version } : {}),
        at,
        ok: event.ok,
        ...(event.error ? { error: event.error } : {}),
        ...(event.evidence ? { evidence: event.evidence } : {}),
        ...(event.artifacts ? { artifactKeys: event.artifacts.map((artifact) => artifact.key) } : {}),
      });
      if (event.artifacts) record.artifacts.push(...event.artifacts);
      if (event.output) record.output = event.output;
      break;
    }
    case 'replay':
      record.replays ??= [];
      pushBounded(
        record.replays,
        { at, params: event.params, ok: event.ok, message: cutMessage(event.message) },
        RUN_RECORD_LIMITS.entries,
      );
      break;
    case 'saved':
      record.savedVersion = event.version;
      record.bundleVersion = event.version;
      break;
    default:
      break;
  }
  const stored = event.type === 'log' ? { ...body, message: cutMessage(event.message) } : body;
  const seq = (record.events[record.events.length - 1]?.seq ?? record.eventsDropped) + 1;
  const entry = { seq, at, event: stored as RunEventEntry['event'] };
  record.eventsDropped += pushBounded(record.events, entry, RUN_RECORD_LIMITS.events);
  record.updatedAt = at;
  return entry;
}
