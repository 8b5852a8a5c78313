import type { Bundle, BundleSummary } from '../ports/bundle-store.js';

/** The history/listing line of a bundle (what `BundleStore.history` and `list` return). */
export function summarizeBundle(bundle: Bundle): BundleSummary {
  const line: BundleSummary = {
    workspaceId: bundle.workspaceId,
    reuseKey: bundle.reuseKey,
    version: bundle.version,
    origin: bundle.origin,
    createdAt: bundle.createdAt,
  };
  if (bundle.webTaskId !== undefined) line.webTaskId = bundle.webTaskId;
  if (bundle.parentVersion !== undefined) line.parentVersion = bundle.parentVersion;
  if (bundle.status !== undefined) line.status = bundle.status;
  return line;
}
