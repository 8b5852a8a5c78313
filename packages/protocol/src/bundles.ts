import { z } from 'zod';

/** How a bundle version came to be. */
export const BundleOriginSchema = z.enum(['explore', 'repair', 'import', 'rollback']);

/** Whether runs may use a version. */
export const BundleStatusSchema = z.enum(['active', 'proposed', 'rejected']);

/** How new versions of a reuse key go live: at once, after review, or never (no repairs). */
export const PromotionPolicySchema = z.enum(['auto', 'review', 'off']);

/** One version in a list or a history. */
export const BundleSummarySchema = z.object({
  workspaceId: z.string(),
  reuseKey: z.string(),
  version: z.number().int().positive(),
  origin: BundleOriginSchema,
  createdAt: z.string(),
  webTaskId: z.string().optional(),
  parentVersion: z.number().int().optional(),
  /** `proposed`: saved under the `review` policy, waiting for approval; absent means active. */
  status: BundleStatusSchema.optional(),
});
export type BundleSummaryWire = z.infer<typeof BundleSummarySchema>;

/** One saved version with its source and output schema. */
export const BundleSchema = BundleSummarySchema.extend({
  /** TypeScript source with `export default async function run(ctx)`. */
  source: z.string(),
  /** JSON Schema (2020-12) enforced on every run. */
  outputSchema: z.unknown(),
  task: z.string(),
  startUrl: z.string().optional(),
  stats: z.unknown().optional(),
  /** JSON Schema (2020-12) every run's parameters are checked against. */
  paramsSchema: z.unknown().optional(),
  /** The code changes the site: never replayed, never verified by running it. */
  sideEffects: z.boolean().optional(),
});
export type BundleWire = z.infer<typeof BundleSchema>;

/** Body of `PUT /{ws}/bundles/{reuseKey}`: save `source` as the newest version. */
export const BundleImportSchema = z
  .object({
    source: z.string({ error: 'source is required: the TypeScript of the bundle' }).min(1).max(1_000_000),
    outputSchema: z.unknown().refine((value) => value !== undefined, 'outputSchema is required'),
    task: z.string().max(10_000).optional(),
    startUrl: z.string().max(4096).optional(),
    /** JSON Schema (2020-12) of the parameters. */
    paramsSchema: z.unknown().optional(),
    /** Parameters of the verification run. */
    parameters: z.record(z.string(), z.unknown()).optional(),
    /** Run the bundle once before saving it (default true); refused when the run fails. */
    verify: z.boolean().optional(),
    /** The code changes the site: it is not run to verify the import. */
    sideEffects: z.boolean().optional(),
  })
  .strict();
export type BundleImport = z.infer<typeof BundleImportSchema>;

/** Body of `POST /{ws}/bundles/{reuseKey}/rollback`. */
export const BundleRollbackSchema = z
  .object({ version: z.number({ error: 'version must be a version number such as 2' }).int().positive() })
  .strict();

/** What an import's verification run established. */
export const ImportVerificationSchema = z.union([
  z.object({
    verified: z.literal(true),
    params: z.record(z.string(), z.unknown()),
    rowCount: z.number().int().optional(),
  }),
  z.object({ verified: z.literal(false), reason: z.string() }),
]);

/** Answer of an import: the saved version and how it was verified. */
export const ImportedBundleSchema = BundleSchema.extend({ verification: ImportVerificationSchema });
export type ImportedBundleWire = z.infer<typeof ImportedBundleSchema>;

/** Settings of a reuse key: its promotion policy and pinned version. */
export const BundleSettingsSchema = z.object({
  promotion: PromotionPolicySchema,
  /** Runs use this version whatever is saved later (and it is not repaired). */
  pinnedVersion: z.number().int().positive().optional(),
});
export type BundleSettingsWire = z.infer<typeof BundleSettingsSchema>;

/** Body of `PATCH /{ws}/bundles/{reuseKey}/settings`: what to change; `pinnedVersion: null` unpins. */
export const BundleSettingsUpdateSchema = z
  .object({
    promotion: PromotionPolicySchema.optional(),
    pinnedVersion: z
      .number({ error: 'pinnedVersion must be a version number such as 2, or null to unpin' })
      .int()
      .positive()
      .nullable()
      .optional(),
  })
  .strict()
  .refine((body) => body.promotion !== undefined || body.pinnedVersion !== undefined, {
    message:
      'Say what to change: promotion ("auto", "review" or "off") and/or pinnedVersion (a version, or null to unpin).',
  });
export type BundleSettingsUpdate = z.infer<typeof BundleSettingsUpdateSchema>;

/** Body of `POST /{ws}/bundles/{reuseKey}/approve` and `/reject`: the proposed version. */
export const BundleReviewSchema = z
  .object({ version: z.number({ error: 'version must be a version number such as 2' }).int().positive() })
  .strict();
