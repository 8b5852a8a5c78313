import type { JsonValue, TextMatch } from '@webtasks/core';
import { invalidRequest } from './errors.js';

/** The type an option must have. */
export type OptionType =
  | 'number'
  | 'boolean'
  | 'string'
  | 'timeout'
  | { oneOf: readonly string[] }
  | 'position'
  | 'modifiers';

/** Allowed option keys of one method, with their types. */
export type OptionSpec = Record<string, OptionType>;

/** Limits applied while reading arguments. */
export interface ArgLimits {
  /** Upper bound of any `timeout` option; `0` (Playwright's "no timeout") is replaced by it. */
  maxTimeoutMs: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value.slice(0, 40))}`
    : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fail unless `args.length` is within [min, max]. */
export function expectArgCount(method: string, args: readonly JsonValue[], min: number, max: number): void {
  if (!Array.isArray(args)) throw invalidRequest(`${method}: args must be an array`);
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw invalidRequest(`${method} takes ${expected} argument(s), got ${args.length}`);
  }
}

/** A required string argument. */
export function stringArg(method: string, args: readonly JsonValue[], index: number, name: string): string {
  const value = args[index];
  if (typeof value !== 'string')
    throw invalidRequest(`${method}: ${name} must be a string, got ${describe(value)}`);
  return value;
}

/** A required finite number argument. */
export function numberArg(method: string, args: readonly JsonValue[], index: number, name: string): number {
  const value = args[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidRequest(`${method}: ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A string or a `{ regex, flags }` object, as a string or RegExp. */
export function textMatch(method: string, value: unknown, name: string): string | RegExp {
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && typeof value['regex'] === 'string') {
    const flags = value['flags'] ?? '';
    if (typeof flags !== 'string' || !/^[dgimsuvy]*$/.test(flags)) {
      throw invalidRequest(
        `${method}: ${name}.flags must be regular expression flags (dgimsuvy), got ${describe(flags)}`,
      );
    }
    try {
      return new RegExp(value['regex'], flags);
    } catch (error) {
      throw invalidRequest(
        `${method}: ${name} is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  throw invalidRequest(`${method}: ${name} must be a string or { regex, flags }, got ${describe(value)}`);
}

/** Read `TextMatch` from a locator step. */
export function textMatchOf(
  method: string,
  value: TextMatch | undefined,
  name: string,
): string | RegExp | undefined {
  return value === undefined ? undefined : textMatch(method, value, name);
}

function checkOption(
  method: string,
  key: string,
  value: JsonValue,
  type: OptionType,
  limits: ArgLimits,
): unknown {
  const fail = (what: string) =>
    invalidRequest(`${method}: option "${key}" must be ${what}, got ${describe(value)}`);
  if (type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw fail('a non-negative number');
    return value;
  }
  if (type === 'timeout') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw fail('a non-negative number of milliseconds');
    return value === 0 ? limits.maxTimeoutMs : Math.min(value, limits.maxTimeoutMs);
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean') throw fail('a boolean');
    return value;
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw fail('a string');
    return value;
  }
  if (type === 'position') {
    if (!isPlainObject(value) || typeof value['x'] !== 'number' || typeof value['y'] !== 'number')
      throw fail('{ x: number, y: number }');
    return { x: value['x'], y: value['y'] };
  }
  if (type === 'modifiers') {
    const allowed = ['Alt', 'Control', 'ControlOrMeta', 'Meta', 'Shift'];
    if (!Array.isArray(value) || !value.every((m) => typeof m === 'string' && allowed.includes(m))) {
      throw fail(`an array of ${allowed.join(', ')}`);
    }
    return value;
  }
  if (typeof value !== 'string' || !type.oneOf.includes(value))
    throw fail(`one of ${type.oneOf.map((v) => `"${v}"`).join(', ')}`);
  return value;
}

/** An optional options object: only the keys of `spec`, each of the right type. */
export function optionsArg(
  method: string,
  args: readonly JsonValue[],
  index: number,
  spec: OptionSpec,
  limits: ArgLimits,
): Record<string, unknown> {
  const value = args[index];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value))
    throw invalidRequest(`${method}: options must be an object, got ${describe(value)}`);
  const options: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(value)) {
    const type = spec[key];
    if (type === undefined) {
      const known = Object.keys(spec);
      throw invalidRequest(
        `${method}: unknown option "${key}"${known.length ? ` (allowed: ${known.join(', ')})` : ' (it takes no options)'}`,
      );
    }
    if (option !== undefined && option !== null)
      options[key] = checkOption(method, key, option, type, limits);
  }
  return options;
}

/** `{ fn: string }`: the source text of a function to run in the page. */
export function functionArg(method: string, args: readonly JsonValue[], index: number): string {
  const value = args[index];
  if (!isPlainObject(value) || typeof value['fn'] !== 'string' || value['fn'].trim() === '') {
    throw invalidRequest(
      `${method}: the function must arrive as { fn: "<source text>" }, got ${describe(value)}`,
    );
  }
  return value['fn'];
}
