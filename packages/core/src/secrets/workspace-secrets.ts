import { SECRET_NAME_PATTERN, SecretValueSchema } from '@webtasks/protocol';
import { WebTasksError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { CallOptions } from '../ports/common.js';
import type { SealedKind, SecretStore } from '../ports/secret-store.js';
import { type SealingKey, seal, unseal } from './sealing.js';

/** A stored workspace secret as listed: never its value. */
export interface SecretInfo {
  name: string;
  updatedAt: string;
}

/** Workspace secrets: stored sealed, listed by name only, opened for the tasks that use them. */
export interface WorkspaceSecrets {
  set(options: { workspaceId: string; name: string; value: string } & CallOptions): Promise<SecretInfo>;
  list(options: { workspaceId: string } & CallOptions): Promise<SecretInfo[]>;
  delete(options: { workspaceId: string; name: string } & CallOptions): Promise<boolean>;
  /** Every secret of the workspace, opened (name → value). Empty without a store. */
  open(options: { workspaceId: string } & CallOptions): Promise<Record<string, string>>;
}

/** The associated data a sealed entry is bound to. */
export function sealContext(workspaceId: string, kind: SealedKind, name: string): string {
  return `${workspaceId}/${kind}/${name}`;
}

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name))
    throw new WebTasksError({
      code: 'invalid-request',
      message: `The secret name "${name.slice(0, 80)}" is invalid: use a letter or "_" then up to 63 letters, digits or "_".`,
    });
}

/** Workspace secrets over a `SecretStore` and a sealing key (without a key, storing is refused). */
export function createWorkspaceSecrets(options: {
  store?: SecretStore;
  key?: SealingKey;
  clock: Clock;
  /** How the key setting is spelled where the user is, e.g. `WEBTASKS_SECRETS_KEY`. */
  keySetting: string;
}): WorkspaceSecrets {
  const need = (what: string): { store: SecretStore; key: SealingKey } => {
    if (!options.store || !options.key)
      throw new WebTasksError({
        code: 'invalid-config',
        message: `${what} needs a secrets key: set ${options.keySetting} (32 random bytes as base64, e.g. from openssl rand -base64 32).`,
      });
    return { store: options.store, key: options.key };
  };
  return {
    async set({ workspaceId, name, value, signal }) {
      checkName(name);
      if (!SecretValueSchema.safeParse(value).success)
        throw new WebTasksError({
          code: 'invalid-request',
          message: `The value of secret "${name}" must be a string of 4 to 8192 characters.`,
        });
      const { store, key } = need('Storing a secret');
      const updatedAt = new Date(options.clock.now()).toISOString();
      const entry = {
        kind: 'secret' as const,
        name,
        sealed: seal(key, sealContext(workspaceId, 'secret', name), value),
        updatedAt,
      };
      await store.put({ workspaceId, entry, ...(signal ? { signal } : {}) });
      return { name, updatedAt };
    },
    async list({ workspaceId, signal }) {
      if (!options.store) return [];
      const entries = await options.store.list({
        workspaceId,
        kind: 'secret',
        ...(signal ? { signal } : {}),
      });
      return entries.map(({ name, updatedAt }) => ({ name, updatedAt }));
    },
    async delete({ workspaceId, name, signal }) {
      if (!options.store) return false;
      return options.store.delete({ workspaceId, kind: 'secret', name, ...(signal ? { signal } : {}) });
    },
    async open({ workspaceId, signal }) {
      if (!options.store) return {};
      const entries = await options.store.list({
        workspaceId,
        kind: 'secret',
        ...(signal ? { signal } : {}),
      });
      if (entries.length === 0) return {};
      const { key } = need('Reading the workspace secrets');
      const out: Record<string, string> = {};
      for (const entry of entries)
        out[entry.name] = unseal(key, sealContext(workspaceId, 'secret', entry.name), entry.sealed);
      return out;
    },
  };
}
