import type { LocatorStep } from '@webtasks/core';
import type { Locator, Page } from 'playwright-core';
import { textMatch, textMatchOf } from './command-args.js';
import { invalidRequest } from './errors.js';

const MAX_STEPS = 40;
const MAX_DEPTH = 4;
const REF = /^(?:f\d+)?e\d+$/;
const ROLE_FLAGS = [
  'checked',
  'disabled',
  'expanded',
  'includeHidden',
  'pressed',
  'selected',
  'exact',
] as const;

type Root = Page | Locator;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bool(step: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const value = step[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${where}.${key} must be a boolean`);
  return value;
}

function roleOptions(step: Record<string, unknown>, where: string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const flag of ROLE_FLAGS) {
    const value = bool(step, flag, where);
    if (value !== undefined) options[flag] = value;
  }
  if (step['name'] !== undefined) options['name'] = textMatch(where, step['name'], 'name');
  if (step['level'] !== undefined) {
    if (typeof step['level'] !== 'number' || !Number.isInteger(step['level']))
      throw invalidRequest(`${where}.level must be an integer`);
    options['level'] = step['level'];
  }
  return options;
}

function applyStep(page: Page, current: Root, step: unknown, where: string, depth: number): Root {
  if (!isObject(step) || typeof step['kind'] !== 'string') {
    throw invalidRequest(`${where} must be an object with a "kind"`);
  }
  const needsLocator = (): Locator => {
    if (current === page)
      throw invalidRequest(`${where}: "${step['kind']}" needs a locator before it (it cannot start a chain)`);
    return current as Locator;
  };
  switch (step['kind']) {
    case 'locator': {
      if (typeof step['selector'] !== 'string' || step['selector'].trim() === '') {
        throw invalidRequest(`${where}.selector must be a non-empty string`);
      }
      const options: Record<string, unknown> = {};
      if (step['hasText'] !== undefined) options['hasText'] = textMatch(where, step['hasText'], 'hasText');
      if (step['hasNotText'] !== undefined)
        options['hasNotText'] = textMatch(where, step['hasNotText'], 'hasNotText');
      return current.locator(step['selector'], options);
    }
    case 'getByRole': {
      if (typeof step['role'] !== 'string' || step['role'] === '')
        throw invalidRequest(`${where}.role must be a string`);
      return current.getByRole(step['role'] as Parameters<Page['getByRole']>[0], roleOptions(step, where));
    }
    case 'getByText':
    case 'getByLabel':
    case 'getByPlaceholder':
    case 'getByAltText':
    case 'getByTitle': {
      const text = textMatch(where, step['text'], 'text');
      const exact = bool(step, 'exact', where);
      return current[step['kind']](text, exact === undefined ? undefined : { exact });
    }
    case 'getByTestId':
      return current.getByTestId(textMatch(where, step['testId'], 'testId'));
    case 'nth': {
      if (typeof step['index'] !== 'number' || !Number.isInteger(step['index']))
        throw invalidRequest(`${where}.index must be an integer`);
      return needsLocator().nth(step['index']);
    }
    case 'first':
      return needsLocator().first();
    case 'last':
      return needsLocator().last();
    case 'filter': {
      const options: Record<string, unknown> = {};
      const hasText = textMatchOf(where, step['hasText'] as never, 'hasText');
      const hasNotText = textMatchOf(where, step['hasNotText'] as never, 'hasNotText');
      if (hasText !== undefined) options['hasText'] = hasText;
      if (hasNotText !== undefined) options['hasNotText'] = hasNotText;
      if (step['has'] !== undefined)
        options['has'] = resolveChain(page, step['has'], `${where}.has`, depth + 1);
      if (step['hasNot'] !== undefined)
        options['hasNot'] = resolveChain(page, step['hasNot'], `${where}.hasNot`, depth + 1);
      const visible = bool(step, 'visible', where);
      if (visible !== undefined) options['visible'] = visible;
      return needsLocator().filter(options);
    }
    case 'ref': {
      if (typeof step['ref'] !== 'string' || !REF.test(step['ref'])) {
        throw invalidRequest(`${where}.ref must be an element ref from observe(), like "e12" or "f1e3"`);
      }
      return current.locator(`aria-ref=${step['ref']}`);
    }
    default:
      throw invalidRequest(`${where}: unknown locator step kind "${String(step['kind']).slice(0, 40)}"`);
  }
}

function resolveChain(page: Page, steps: unknown, where: string, depth: number): Locator {
  if (depth > MAX_DEPTH) throw invalidRequest(`${where}: filters nest more than ${MAX_DEPTH} levels deep`);
  if (!Array.isArray(steps) || steps.length === 0)
    throw invalidRequest(`${where} must be a non-empty array of locator steps`);
  if (steps.length > MAX_STEPS) throw invalidRequest(`${where} has more than ${MAX_STEPS} steps`);
  let current: Root = page;
  steps.forEach((step, index) => {
    current = applyStep(page, current, step, `${where}[${index}]`, depth);
  });
  return current as unknown as Locator;
}

/**
 * Build a Playwright locator from a chain of steps, validating each step (the chain comes
 * from untrusted generated code). `ref` steps resolve refs of the latest `observe()` through
 * Playwright's `aria-ref` selector engine.
 */
export function buildLocator(page: Page, steps: readonly LocatorStep[]): Locator {
  return resolveChain(page, steps, 'locator', 0);
}
