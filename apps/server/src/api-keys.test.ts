import { describe, expect, it } from 'vitest';
import {
  createApiKeyAuth,
  generateApiKey,
  hashApiKey,
  parseApiKeyPairs,
  parseApiKeysFile,
} from './api-keys.js';

describe('API keys', () => {
  it('hashes with sha256 and verifies only the right key for the right workspace', async () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const auth = createApiKeyAuth([
      { workspaceId: 'a', keyHash: hashApiKey('key-a') },
      { workspaceId: 'a', keyHash: hashApiKey('key-a-rotated') },
      { workspaceId: 'b', keyHash: hashApiKey('key-b') },
    ]);
    expect(await auth.verify({ workspaceId: 'a', apiKey: 'key-a' })).toBe(true);
    expect(await auth.verify({ workspaceId: 'a', apiKey: 'key-a-rotated' })).toBe(true);
    expect(await auth.verify({ workspaceId: 'a', apiKey: 'key-b' })).toBe(false);
    expect(await auth.verify({ workspaceId: 'c', apiKey: 'key-a' })).toBe(false);
    expect(await auth.verify({ workspaceId: 'a', apiKey: '' })).toBe(false);
    expect(await auth.verify({ workspaceId: 'a', apiKey: 'KEY-A' })).toBe(false);
  });

  it('refuses stored hashes in another format', () => {
    expect(() => createApiKeyAuth([{ workspaceId: 'a', keyHash: 'plain-key' }])).toThrow(/hash-key/);
  });

  it('generates distinct, long random keys', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^wtk_[A-Za-z0-9_-]{43}$/);
  });

  it('parses development pairs (keys containing colons included) and key files', () => {
    expect(parseApiKeyPairs(' a:k1 , b:k:2,')).toEqual([
      { workspaceId: 'a', keyHash: hashApiKey('k1') },
      { workspaceId: 'b', keyHash: hashApiKey('k:2') },
    ]);
    expect(() => parseApiKeyPairs('a:')).toThrow(/workspaceId:apiKey/);
    const text = `# comment\n\n{"workspaceId":"a","keyHash":"${hashApiKey('x')}"}\r\n`;
    expect(parseApiKeysFile(text)).toEqual([{ workspaceId: 'a', keyHash: hashApiKey('x') }]);
    expect(() => parseApiKeysFile('{"workspaceId":"../a","keyHash":"x"}', 'keys.jsonl')).toThrow(
      /keys.jsonl line 1/,
    );
    expect(() => parseApiKeysFile('nope')).toThrow(/not JSON/);
  });

  it('identifies the workspace of a key (for /mcp), and nothing for an unknown or empty key', async () => {
    const auth = createApiKeyAuth([
      { workspaceId: 'ws_1', keyHash: hashApiKey('key-one') },
      { workspaceId: 'ws_1', keyHash: hashApiKey('key-one-rotated') },
      { workspaceId: 'ws_2', keyHash: hashApiKey('key-two') },
    ]);
    expect(await auth.identify?.({ apiKey: 'key-one-rotated' })).toBe('ws_1');
    expect(await auth.identify?.({ apiKey: 'key-two' })).toBe('ws_2');
    expect(await auth.identify?.({ apiKey: 'key-three' })).toBeUndefined();
    expect(await auth.identify?.({ apiKey: '' })).toBeUndefined();
  });
});
