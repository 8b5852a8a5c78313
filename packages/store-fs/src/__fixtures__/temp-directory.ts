import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** A temp directory for one test file, removed after its tests. */
export function useTempDirectory(prefix: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), `webtasks-${prefix}-`));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
