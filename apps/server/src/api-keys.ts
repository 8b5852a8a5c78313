import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A stored API key: the workspace it opens and the sha256 of the key (never the key). */
export interface ApiKeyEntry {
  workspaceId: string;
  /** `sha256:` followed by 64 lowercase hex digits. */
  keyHash: string;
}

/** Decides whether an API key opens a workspace. */
export interface WorkspaceAuth {
  /** True when `apiKey` is a valid key of `workspaceId`. */
  verify(options: { workspaceId: string; apiKey: string }): boolean | Promise<boolean>;
  /**
   * The workspace an API key opens, or undefined. Needed where the URL names no workspace
   * (`/mcp`); without it those routes accept only requests that name the workspace.
   */
  identify?(options: { apiKey: string }): string | undefined | Promise<string | undefined>;
}

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** Workspace ids the server accepts in paths and key files. */
export const WORKSPACE_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** The stored form of an API key: `sha256:<hex>`. */
export function hashApiKey(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex')}`;
}

/** A new random API key (`wtk_` + 32 random bytes, base64url). */
export function generateApiKey(): string {
  return `wtk_${randomBytes(32).toString('base64url')}`;
}

/**
 * Auth over hashed keys. Several keys per workspace are allowed (rotation). The presented key
 * is hashed and compared with `timingSafeEqual` against every stored hash of the workspace;
 * an unknown workspace still costs one comparison, so timing says nothing about which
 * workspaces exist.
 */
export function createApiKeyAuth(entries: readonly ApiKeyEntry[]): WorkspaceAuth {
  const byWorkspace = new Map<string, Buffer[]>();
  for (const entry of entries) {
    if (!HASH_PATTERN.test(entry.keyHash)) {
      throw new Error(
        `API key hash for workspace "${entry.workspaceId}" must be "sha256:" + 64 hex digits: produce it with the hash-key helper.`,
      );
    }
    const digest = Buffer.from(entry.keyHash.slice('sha256:'.length), 'hex');
    const list = byWorkspace.get(entry.workspaceId) ?? [];
    list.push(digest);
    byWorkspace.set(entry.workspaceId, list);
  }
  const decoy = [Buffer.alloc(32)];
  return {
    verify({ workspaceId, apiKey }) {
      if (apiKey.length === 0 || apiKey.length > 1024) return false;
      const presented = createHash('sha256').update(apiKey, 'utf8').digest();
      const stored = byWorkspace.get(workspaceId);
      let match = false;
      for (const digest of stored ?? decoy) {
        if (timingSafeEqual(presented, digest)) match = true;
      }
      return match && stored !== undefined;
    },
    identify({ apiKey }) {
      if (apiKey.length === 0 || apiKey.length > 1024) return undefined;
      const presented = createHash('sha256').update(apiKey, 'utf8').digest();
      // Every stored hash is compared, so timing says nothing about which key matched.
      let found: string | undefined;
      for (const [workspaceId, digests] of byWorkspace) {
        for (const digest of digests) {
          if (timingSafeEqual(presented, digest) && found === undefined) found = workspaceId;
        }
      }
      return found;
    },
  };
}

/**
 * Parse `WEBTASKS_API_KEYS`: comma-separated `workspaceId:apiKey` pairs, for development.
 * The keys are hashed right away; the plain keys are not kept.
 */
export function parseApiKeyPairs(value: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  for (const raw of value.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const colon = pair.indexOf(':');
    const workspaceId = colon < 0 ? '' : pair.slice(0, colon);
    const apiKey = colon < 0 ? '' : pair.slice(colon + 1);
    if (!WORKSPACE_ID_PATTERN.test(workspaceId) || apiKey === '') {
      throw new Error(
        'WEBTASKS_API_KEYS must be comma-separated "workspaceId:apiKey" pairs (workspace ids: letters, digits, "_", "-", ".").',
      );
    }
    entries.push({ workspaceId, keyHash: hashApiKey(apiKey) });
  }
  return entries;
}

/**
 * Parse a keys file (`WEBTASKS_API_KEYS_FILE`): JSON lines of `{"workspaceId": "...",
 * "keyHash": "sha256:<hex>"}`; blank lines and lines starting with `#` are ignored.
 */
export function parseApiKeysFile(text: string, fileName = 'API keys file'): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where = `${fileName} line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error(
        `${where} is not JSON: each line must be {"workspaceId": "...", "keyHash": "sha256:..."}.`,
      );
    }
    const { workspaceId, keyHash } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof workspaceId !== 'string' || !WORKSPACE_ID_PATTERN.test(workspaceId)) {
      throw new Error(`${where}: "workspaceId" must be a string of letters, digits, "_", "-" or ".".`);
    }
    if (typeof keyHash !== 'string' || !HASH_PATTERN.test(keyHash)) {
      throw new Error(
        `${where}: "keyHash" must be "sha256:" + 64 hex digits; produce it with the hash-key helper.`,
      );
    }
    entries.push({ workspaceId, keyHash });
  });
  return entries;
}
