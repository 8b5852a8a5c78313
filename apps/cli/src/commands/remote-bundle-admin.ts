import { WebTasksApiError, type WebTasksClient } from '@webtasks/client';
import {
  type Bundle,
  type BundleAdmin,
  type BundleKeySettings,
  type BundleSummary,
  type ImportedBundle,
  WebTasksError,
} from '@webtasks/core';

/**
 * The bundle commands' `BundleAdmin` over a server (`webtasks bundles … --base-url`): the same
 * subcommands, answered by the server's bundle routes. A 404 reads as "not found" and a 400 as
 * a refused request, exactly like the local store.
 */
export function remoteBundleAdmin(client: WebTasksClient): BundleAdmin {
  const { bundles } = client;
  const asEngineError = (error: unknown): unknown => {
    if (!WebTasksApiError.isInstance(error)) return error;
    if (error.code === 'not-found' || error.code === 'invalid-request')
      return new WebTasksError({ code: error.code, message: error.message, details: error.details });
    return error;
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw asEngineError(error);
    }
  };
  const orUndefined = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (WebTasksApiError.isInstance(error) && error.status === 404) return undefined;
      throw asEngineError(error);
    }
  };
  return {
    list: ({ prefix, limit }) =>
      call(
        async () =>
          (await bundles.list({
            ...(prefix ? { prefix } : {}),
            ...(limit ? { limit } : {}),
          })) as BundleSummary[],
      ),
    get: ({ reuseKey, version }) =>
      orUndefined(async () => (await bundles.get(reuseKey, version ? { version } : {})) as Bundle),
    history: async ({ reuseKey }) =>
      ((await orUndefined(() => bundles.history(reuseKey))) ?? []) as BundleSummary[],
    diff: ({ reuseKey, from, to }) => call(() => bundles.diff(reuseKey, from, to)),
    rollback: ({ reuseKey, version }) =>
      call(async () => (await bundles.rollback(reuseKey, version)) as Bundle),
    import: ({
      reuseKey,
      source,
      outputSchema,
      task,
      startUrl,
      paramsSchema,
      parameters,
      verify,
      sideEffects,
    }) =>
      call(
        async () =>
          (await bundles.import(reuseKey, {
            source,
            outputSchema: (outputSchema ?? null) as object | null,
            ...(task ? { task } : {}),
            ...(startUrl ? { startUrl } : {}),
            ...(paramsSchema !== undefined ? { paramsSchema } : {}),
            ...(parameters ? { parameters } : {}),
            ...(verify !== undefined ? { verify } : {}),
            ...(sideEffects !== undefined ? { sideEffects } : {}),
          })) as ImportedBundle,
      ),
    delete: async ({ reuseKey }) =>
      (await orUndefined(async () => {
        await bundles.delete(reuseKey);
        return true;
      })) === true,
    settings: ({ reuseKey }) => call(() => bundles.settings(reuseKey)) as Promise<BundleKeySettings>,
    setPolicy: ({ reuseKey, policy }) =>
      call(() => bundles.updateSettings(reuseKey, { promotion: policy })) as Promise<BundleKeySettings>,
    pin: ({ reuseKey, version }) =>
      call(() => bundles.updateSettings(reuseKey, { pinnedVersion: version })) as Promise<BundleKeySettings>,
    unpin: ({ reuseKey }) =>
      call(() => bundles.updateSettings(reuseKey, { pinnedVersion: null })) as Promise<BundleKeySettings>,
    approve: ({ reuseKey, version }) =>
      call(async () => (await bundles.approve(reuseKey, version)) as Bundle),
    reject: ({ reuseKey, version }) => call(async () => (await bundles.reject(reuseKey, version)) as Bundle),
    async exportScript({ reuseKey, version }) {
      const bundle = await call(
        async () => (await bundles.get(reuseKey, version ? { version } : {})) as Bundle,
      );
      const script = await call(() => bundles.export(reuseKey, { version: bundle.version }));
      return { bundle, script };
    },
  };
}
