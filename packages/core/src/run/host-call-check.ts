import { WebTasksError } from '../errors.js';
import { LOCATOR_OPS, LOCATOR_STEP_KINDS, PAGE_OPS } from '../ports/browser.js';
import type { HostCall } from '../ports/sandbox.js';

const pageOps = new Set<string>(PAGE_OPS);
const locatorOps = new Set<string>(LOCATOR_OPS);
const stepKinds = new Set<string>(LOCATOR_STEP_KINDS);

const MAX_CHAIN = 64;

function invalid(message: string): WebTasksError {
  return new WebTasksError({ code: 'invalid-request', message: `Invalid call from the code: ${message}` });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkChain(chain: unknown, depth = 0): void {
  if (!Array.isArray(chain) || chain.length === 0 || chain.length > MAX_CHAIN) {
    throw invalid('a locator chain must be a non-empty array of at most 64 steps');
  }
  if (depth > 4) throw invalid('locators nested in filter({ has }) too deeply');
  for (const step of chain) {
    if (!isObject(step) || typeof step.kind !== 'string' || !stepKinds.has(step.kind)) {
      throw invalid(`unknown locator step ${JSON.stringify(isObject(step) ? step.kind : step)}`);
    }
    if (step.kind === 'nth' && !Number.isInteger(step.index)) throw invalid('nth() needs an integer index');
    if (step.kind === 'filter') {
      if (step.has !== undefined) checkChain(step.has, depth + 1);
      if (step.hasNot !== undefined) checkChain(step.hasNot, depth + 1);
    }
  }
}

function checkInstructions(call: Record<string, unknown>): void {
  if (call.instructions !== undefined && typeof call.instructions !== 'string') {
    throw invalid('instructions must be a string');
  }
}

/**
 * Check the shape of a call that came out of the sandbox. Generated code is untrusted, so
 * nothing it sends is believed: unknown kinds, ops, locator steps and element refs (which
 * only the agent's own tools may use) are refused before any adapter sees them.
 */
export function checkHostCall(call: unknown): HostCall {
  if (!isObject(call) || typeof call.kind !== 'string')
    throw invalid('a host call must be an object with a kind');
  switch (call.kind) {
    case 'page': {
      const command = call.command;
      if (!isObject(command) || !Array.isArray(command.args))
        throw invalid('a page call needs a command with args');
      if (command.target === 'page') {
        if (typeof command.op !== 'string' || !pageOps.has(command.op))
          throw invalid(`page.${String(command.op)} is not available`);
      } else if (command.target === 'locator') {
        if (typeof command.op !== 'string' || !locatorOps.has(command.op)) {
          throw invalid(`locator.${String(command.op)} is not available`);
        }
        checkChain(command.locator);
      } else {
        throw invalid('a page command targets "page" or "locator"');
      }
      return call as HostCall;
    }
    case 'files.download': {
      const trigger = call.trigger;
      if (!isObject(trigger)) throw invalid('files.download needs a trigger');
      if (trigger.kind === 'url') {
        if (typeof trigger.url !== 'string' || trigger.url.length > 8192)
          throw invalid('files.download needs a URL string');
      } else if (trigger.kind === 'click') {
        checkChain(trigger.locator);
      } else {
        throw invalid('a download trigger is a url or a click');
      }
      if (call.name !== undefined && (typeof call.name !== 'string' || call.name.length > 255)) {
        throw invalid('a file name must be a string of at most 255 characters');
      }
      return call as HostCall;
    }
    case 'ai.extract':
      if (typeof call.input !== 'string') throw invalid('ai.extract needs an input string');
      if (!isObject(call.schema) && typeof call.schema !== 'boolean')
        throw invalid('ai.extract needs a JSON Schema');
      return call as HostCall;
    case 'ai.classify':
      if (typeof call.input !== 'string') throw invalid('ai.classify needs an input string');
      if (
        !Array.isArray(call.labels) ||
        call.labels.length < 2 ||
        !call.labels.every((l) => typeof l === 'string')
      ) {
        throw invalid('ai.classify needs at least two string labels');
      }
      checkInstructions(call);
      return call as HostCall;
    case 'secrets.totp':
      if (typeof call.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(call.name))
        throw invalid('secrets.totp needs a secret name (letters, digits and "_")');
      return call as HostCall;
    default:
      throw invalid(`unknown host call kind "${call.kind}"`);
  }
}
