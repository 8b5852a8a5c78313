import { isIP } from 'node:net';
import type { EgressPolicy } from '../ports/browser.js';

/**
 * How the settings a user can change are spelled where the engine runs — a CLI flag in the
 * CLI, an environment variable in the server, an option in a library — so an error's hint
 * names only something the user can actually set.
 */
export interface SettingNames {
  /** How to let the browser reach a private or loopback host, e.g. `(host) => \`--allow-host ${host}\``. */
  allowHost(host: string): string;
  /** How to configure a language model, e.g. `set ANTHROPIC_API_KEY`. */
  model: string;
  /** How the key that seals secrets at rest is set, e.g. `WEBTASKS_SECRETS_KEY`. */
  secretsKey?: string;
  /** How to configure the secret that signs webhooks, e.g. `set WEBTASKS_WEBHOOK_SECRET`. */
  webhookSecret?: string;
}

/** The spelling for library users: options of `createWebTasks`. */
export const LIBRARY_SETTING_NAMES: SettingNames = {
  allowHost: (host) => `add '${host}' to egress.allowHosts of createWebTasks`,
  model: 'pass `model` to createWebTasks',
  webhookSecret: 'pass webhooks.secret to createWebTasks',
};

function privateIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 127 ||
    a === 10 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

function privateIPv6(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '::') return true;
  if (lower.startsWith('::ffff:')) return privateIPv4(lower.slice(7));
  return /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}

/**
 * When `url` names a loopback or private host literally (`localhost`, `127.0.0.1:8080`,
 * `[::1]`) that `policy` blocks, the `host:port` to allow; else undefined. Hosts that need a
 * DNS lookup are left to the browser's own egress check.
 */
export function literallyBlockedHost(url: string, policy: EgressPolicy | undefined): string | undefined {
  if ((policy?.blockPrivateNetworks ?? true) === false) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(hostname);
  const isPrivate =
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    (family === 4 && privateIPv4(hostname)) ||
    (family === 6 && privateIPv6(hostname));
  if (!isPrivate) return undefined;
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const hostPort = `${parsed.hostname}:${port}`;
  const allowed = (policy?.allowHosts ?? []).some((entry) => {
    const [pattern = '', entryPort] = entry.startsWith('[') ? [entry] : entry.split(':');
    if (entryPort !== undefined && entryPort !== port) return false;
    const host = parsed.hostname;
    return (
      pattern === host || entry === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)))
    );
  });
  return allowed ? undefined : hostPort;
}
