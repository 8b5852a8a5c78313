import { networkInterfaces } from 'node:os';
import { canonicalAddress } from './ip-ranges.js';

const REFRESH_MS = 5_000;
let cached: { at: number; addresses: Set<string> } | undefined;

/**
 * The addresses of this host's own network interfaces (loopback and every other interface:
 * a service bound to 0.0.0.0 answers on all of them), in canonical spelling. Re-read every
 * few seconds, as interfaces come and go.
 */
export function hostInterfaceAddresses(): ReadonlySet<string> {
  if (cached && Date.now() - cached.at < REFRESH_MS) return cached.addresses;
  const addresses = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) addresses.add(canonicalAddress(entry.address));
  }
  cached = { at: Date.now(), addresses };
  return addresses;
}
