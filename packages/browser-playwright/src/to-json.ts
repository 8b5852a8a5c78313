import type { JsonValue } from '@webtasks/core';

/**
 * Turn whatever Playwright deserialised from the page into JSON: `undefined`, functions and
 * non-finite numbers become null, dates ISO strings, Maps objects, Sets and typed arrays
 * arrays, errors `{ name, message }`, cycles null.
 */
export function toJson(value: unknown, seen: Set<object> = new Set()): JsonValue {
  if (value === undefined || value === null || typeof value === 'function' || typeof value === 'symbol')
    return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (seen.has(value)) return null;
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof RegExp || value instanceof URL) return String(value);
    if (value instanceof Error) return { name: value.name, message: value.message };
    if (Array.isArray(value)) return value.map((item) => toJson(item, seen));
    if (ArrayBuffer.isView(value))
      return Array.from(value as unknown as ArrayLike<number>, (n) => toJson(n, seen));
    if (value instanceof Set) return [...value].map((item) => toJson(item, seen));
    if (value instanceof Map) {
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of value) out[String(key)] = toJson(item, seen);
      return out;
    }
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJson(item, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * A stand-in function whose source text is `source`. Playwright sends `String(fn)` to the
 * page and evaluates it there, so the untrusted source is never compiled or run in Node.
 */
export function pageFunction(source: string): (...args: unknown[]) => unknown {
  const stub = () => undefined;
  Object.defineProperty(stub, 'toString', { value: () => source });
  return stub;
}
