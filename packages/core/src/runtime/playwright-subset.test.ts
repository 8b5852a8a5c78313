// The Playwright subset is spelled in several places: the port's PAGE_OPS/LOCATOR_OPS (from
// which the host-call check derives its sets), the declaration the model and the compiler
// see, and the prelude that turns calls into host calls. This test fails when they differ.
// (The browser adapter's dispatch is held to the same lists by its own subset test.)
import { describe, expect, it } from 'vitest';
import { LOCATOR_OPS, LOCATOR_STEP_KINDS, PAGE_OPS } from '../ports/browser.js';
import { RUNTIME_DECLARATIONS } from './declarations.js';
import { RUNTIME_PRELUDE } from './prelude.js';

/** Methods that build a locator (no host call of their own): the chain steps, and `all()`. */
const BUILDERS = new Set<string>([...LOCATOR_STEP_KINDS, 'all']);

/** Member names of `export interface <name> { … }` in the declaration, nested objects as `a.b`. */
function membersOf(name: string): string[] {
  const start = RUNTIME_DECLARATIONS.indexOf(`export interface ${name} {`);
  expect(start, `interface ${name} in RUNTIME_DECLARATIONS`).toBeGreaterThan(-1);
  const lines = RUNTIME_DECLARATIONS.slice(start).split('\n').slice(1);
  const members: string[] = [];
  let nested: string | undefined;
  for (const line of lines) {
    if (/^ {2}\}/.test(line)) break;
    const object = /^ {4}(\w+): \{$/.exec(line);
    if (object) nested = object[1];
    else if (nested && /^ {4}\};$/.test(line)) nested = undefined;
    const method = /^ {4,6}(\$?\$?\w+)\s*[<(]/.exec(line);
    if (method?.[1]) members.push(nested && line.startsWith('      ') ? `${nested}.${method[1]}` : method[1]);
  }
  return members;
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('one Playwright subset', () => {
  it('the declaration of Page bridges exactly PAGE_OPS', () => {
    expect(sorted(membersOf('Page').filter((name) => !BUILDERS.has(name)))).toEqual(sorted(PAGE_OPS));
  });

  it('the declaration of Locator bridges exactly LOCATOR_OPS', () => {
    expect(sorted(membersOf('Locator').filter((name) => !BUILDERS.has(name)))).toEqual(sorted(LOCATOR_OPS));
  });

  it('the prelude sends exactly PAGE_OPS and LOCATOR_OPS as host calls', () => {
    const pageCalls = new Set(
      [...RUNTIME_PRELUDE.matchAll(/pageCall\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? ''),
    );
    expect(sorted(pageCalls)).toEqual(sorted(PAGE_OPS));
    const actions = /const LOCATOR_ACTIONS = \[([^\]]*)\]/.exec(RUNTIME_PRELUDE)?.[1] ?? '';
    const locatorCalls = new Set([
      ...[...actions.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1] ?? ''),
      ...[...RUNTIME_PRELUDE.matchAll(/locatorCall\([^,]+,\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? ''),
    ]);
    expect(sorted(locatorCalls)).toEqual(sorted(LOCATOR_OPS));
  });
});
