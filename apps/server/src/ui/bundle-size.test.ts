import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = new URL('../../dist/ui/', import.meta.url);
/** The budget for everything the dashboard downloads. */
const BUDGET_BYTES = 200 * 1024;

describe('dashboard assets', () => {
  it('are built and stay under 200 KB gzipped, with no reference to another origin', () => {
    const files = ['app.js', 'app.css'].map((name) => new URL(name, DIST));
    for (const file of files) {
      expect(existsSync(file), `${file.pathname} is missing: run pnpm --filter @webtasks/server build`).toBe(
        true,
      );
    }
    const contents = files.map((file) => readFileSync(file));
    const gzipped = contents.reduce((total, content) => total + gzipSync(content, { level: 9 }).length, 0);
    console.info(`dashboard: ${contents.reduce((t, c) => t + c.length, 0)} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
    // No CDN at run time: no absolute http(s) URL is loaded by the bundle.
    for (const content of contents) {
      expect(content.toString()).not.toMatch(/(?:src|href|url)\s*[=(:]\s*["']?https?:\/\//);
    }
  });
});
