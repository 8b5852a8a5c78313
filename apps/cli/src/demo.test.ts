import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runNode } from './__fixtures__/run-cli.js';

describe('npm run demo', () => {
  it('runs the example bundle on the example site with no API key: 0 model calls, every book', async () => {
    const demo = await runNode(['tooling/scripts/demo.mjs'], { cwd: REPO_ROOT });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('imported bundle.ts as demo-books v1');
    expect(demo.stdout).toContain('model none (saved code only)');
    expect(demo.stdout).toContain('log info: page 3: 4 books');
    expect(demo.stdout).toMatch(/reused saved code v1 — 0 model calls, \$0\.0000/);
    expect(demo.stdout).toContain('result: 20 books');
    expect(demo.stdout).toMatch(/The Glass Orchard\s+Mira Okafor\s+2019\s+£12\.99\s+yes/);
    expect(demo.stdout).toMatch(/Salt and Semaphore\s+Aiko Tanabe\s+2021\s+£14\.00\s+no/);
    expect(demo.stdout).toMatch(/The Last Ferry Home\s+Greta Holm\s+2021\s+£15\.30\s+yes/);
    expect(demo.stdout).toContain('The saved code was reused: 0 model calls, $0.0000 AI cost');
  }, 900_000); // the set-up may build packages first
});
