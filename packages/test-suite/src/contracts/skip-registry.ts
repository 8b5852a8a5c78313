import { expect, it } from 'vitest';

/** Tests (by exact title) an adapter cannot pass, each with the reason. */
export type SkipList = Array<{ reason: string; tests: string[] }>;

/**
 * Every contract suite skips by exact title with a stated reason, and fails when the skip
 * list names a test the suite does not have (a typo must not silently skip nothing).
 */
export interface SkipRegistry {
  /** Record that the suite has `title`; returns the skip reason, if any. */
  reasonFor(title: string): string | undefined;
  /** Call last inside the `describe`: registers a failing test for unknown skip titles. */
  checkSkips(): void;
}

export function createSkipRegistry(skip: SkipList | undefined): SkipRegistry {
  const reasons = new Map<string, string>();
  for (const entry of skip ?? []) for (const title of entry.tests) reasons.set(title, entry.reason);
  const seen = new Set<string>();
  return {
    reasonFor(title) {
      seen.add(title);
      return reasons.get(title);
    },
    checkSkips() {
      const unknown = [...reasons.keys()].filter((title) => !seen.has(title));
      if (unknown.length === 0) return;
      it('skip list names only tests of this suite', () => {
        expect.fail(
          `skip names unknown tests (check the spelling): ${unknown.map((t) => JSON.stringify(t)).join(', ')}`,
        );
      });
    },
  };
}

/** Register `title` as skipped (with its reason in the title) when the registry says so. */
export function skipIfListed(registry: SkipRegistry, title: string): boolean {
  const reason = registry.reasonFor(title);
  if (reason === undefined) return false;
  it.skip(`${title} (skipped: ${reason})`, () => {});
  return true;
}
