import { type HostCall, LOCATOR_OPS, PAGE_OPS } from '@webtasks/core';

const PAGE_OP_SET = new Set<string>(PAGE_OPS);
const LOCATOR_OP_SET = new Set<string>(LOCATOR_OPS);
const STEP_KINDS = new Set<string>([
  'locator',
  'getByRole',
  'getByText',
  'getByLabel',
  'getByPlaceholder',
  'getByAltText',
  'getByTitle',
  'getByTestId',
  'nth',
  'first',
  'last',
  'filter',
]);
const MAX_CHAIN_STEPS = 64;

type Check = { ok: true; request: HostCall } | { ok: false; message: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parse and check one host call sent from the isolate. The prelude only makes well-formed calls,
 * but code that reached the raw bridge could send anything: the shape is checked here (kinds,
 * operations, locator chains) so the host only ever sees a `HostCall`. Argument values are left
 * to the host, which validates them as Playwright would.
 */
export function checkHostCall(json: string): Check {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return fail('it is not JSON');
  }
  if (!isRecord(raw)) return fail('it is not an object');
  switch (raw.kind) {
    case 'page':
      return checkPageCommand(raw);
    case 'files.download': {
      const trigger = raw.trigger;
      if (!isRecord(trigger)) return fail('files.download needs a trigger');
      if (raw.name !== undefined && typeof raw.name !== 'string')
        return fail('files.download name must be a string');
      if (trigger.kind === 'url' && typeof trigger.url === 'string') return ok(raw);
      if (trigger.kind === 'click' && isChain(trigger.locator, 0)) return ok(raw);
      return fail('files.download trigger must be { kind: "url", url } or { kind: "click", locator }');
    }
    case 'ai.extract':
      if (typeof raw.input !== 'string') return fail('ai.extract input must be a string');
      if (!isRecord(raw.schema) && typeof raw.schema !== 'boolean')
        return fail('ai.extract schema must be a JSON Schema');
      return optionalInstructions(raw);
    case 'ai.classify':
      if (typeof raw.input !== 'string') return fail('ai.classify input must be a string');
      if (
        !Array.isArray(raw.labels) ||
        raw.labels.length === 0 ||
        !raw.labels.every((l) => typeof l === 'string')
      ) {
        return fail('ai.classify labels must be a non-empty array of strings');
      }
      return optionalInstructions(raw);
    default:
      return fail('unknown kind');
  }
}

function checkPageCommand(raw: Record<string, unknown>): Check {
  const command = raw.command;
  if (!isRecord(command) || !Array.isArray(command.args)) return fail('a page call needs command.args');
  if (command.target === 'page') {
    return typeof command.op === 'string' && PAGE_OP_SET.has(command.op)
      ? ok(raw)
      : fail('unknown page operation');
  }
  if (command.target === 'locator') {
    if (typeof command.op !== 'string' || !LOCATOR_OP_SET.has(command.op))
      return fail('unknown locator operation');
    return isChain(command.locator, 0) ? ok(raw) : fail('malformed locator chain');
  }
  return fail('command.target must be "page" or "locator"');
}

function isChain(value: unknown, depth: number): boolean {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CHAIN_STEPS || depth > 8)
    return false;
  return value.every((step) => {
    if (!isRecord(step) || typeof step.kind !== 'string' || !STEP_KINDS.has(step.kind)) return false;
    if (step.kind === 'nth') return typeof step.index === 'number' && Number.isInteger(step.index);
    if (step.kind === 'filter') {
      return (
        (step.has === undefined || isChain(step.has, depth + 1)) &&
        (step.hasNot === undefined || isChain(step.hasNot, depth + 1))
      );
    }
    return true;
  });
}

function optionalInstructions(raw: Record<string, unknown>): Check {
  if (raw.instructions !== undefined && typeof raw.instructions !== 'string')
    return fail('instructions must be a string');
  return ok(raw);
}

function ok(raw: Record<string, unknown>): Check {
  return { ok: true, request: raw as unknown as HostCall };
}

function fail(reason: string): Check {
  return { ok: false, message: `[webtasks:sandbox-isolated-vm] Malformed host call: ${reason}.` };
}
