import { createHash } from 'node:crypto';

/** Names of the tools every webtasks MCP server offers; no saved automation may take them. */
export const FIXED_TOOL_NAMES = ['run_web_task', 'get_web_task_result', 'list_automations'] as const;

/** Longest tool name given out: model APIs accept 64 characters of `[A-Za-z0-9_-]`. */
export const MAX_TOOL_NAME_LENGTH = 64;

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

function hashOf(reuseKey: string, length: number): string {
  return createHash('sha256').update(reuseKey, 'utf8').digest('hex').slice(0, length);
}

/**
 * The tool name of a reuse key, on its own. A key that is already a valid name (letters,
 * digits, `_`, `-`, at most 64 characters, not a fixed tool's name) is its own name. Any other
 * key is cleaned (every other character becomes `_`), cut to fit, and given `_` plus 6 hex
 * digits of the key's SHA-256, so `a.b` and `a:b` never meet and the name never changes.
 */
export function toolNameOf(reuseKey: string, hashLength = 6): string {
  if (VALID.test(reuseKey) && !(FIXED_TOOL_NAMES as readonly string[]).includes(reuseKey)) return reuseKey;
  const cleaned = reuseKey.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${cleaned.slice(0, MAX_TOOL_NAME_LENGTH - hashLength - 1)}_${hashOf(reuseKey, hashLength)}`;
}

/**
 * Tool names for a set of reuse keys, as a map from key to name. Names come from
 * `toolNameOf`; in the rare case two keys still meet (a key spelled like another's hashed
 * name), the key that is its own name keeps it and the others, in key order, take a longer
 * hash. The result depends only on the set of keys, never on the order they are given in.
 */
export function assignToolNames(reuseKeys: readonly string[]): Map<string, string> {
  const sorted = [...new Set(reuseKeys)].sort();
  const names = new Map<string, string>();
  const taken = new Set<string>(FIXED_TOOL_NAMES);
  // Keys that are their own name first: their names are the most stable promise.
  const own = sorted.filter((key) => toolNameOf(key) === key);
  const derived = sorted.filter((key) => toolNameOf(key) !== key);
  for (const key of own) {
    names.set(key, key);
    taken.add(key);
  }
  for (const key of derived) {
    let length = 6;
    let name = toolNameOf(key, length);
    while (taken.has(name) && length < 32) {
      length += 6;
      name = toolNameOf(key, length);
    }
    names.set(key, name);
    taken.add(name);
  }
  return names;
}
