import { z } from 'zod';
import { checkJsonSchema } from './json-schema.js';

/** Largest task text accepted, in characters. */
export const MAX_TASK_LENGTH = 10_000;
/** A reuse key: 1..128 characters of letters, digits and `._:-`. */
export const REUSE_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Model aliases a caller may ask for. */
export const MODEL_ALIASES = ['haiku', 'sonnet', 'opus'] as const;
export type ModelAlias = (typeof MODEL_ALIASES)[number];

const httpUrl = z
  .string()
  .max(4096, 'startUrl is longer than 4096 characters')
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'startUrl must be an absolute http:// or https:// URL' },
  );

/** Schema of `POST /{workspaceId}/web-tasks/start` bodies and of embedded `start()` calls. */
export const StartRequestSchema = z
  .object({
    task: z
      .string({ error: 'task is required: describe the job in plain language' })
      .min(1, 'task must not be empty')
      .max(MAX_TASK_LENGTH, `task is longer than ${MAX_TASK_LENGTH} characters`),
    startUrl: httpUrl.optional(),
    parameters: z.record(z.string(), z.unknown(), { error: 'parameters must be a JSON object' }).optional(),
    outputSchema: z
      .unknown()
      .superRefine((schema, ctx) => {
        if (schema === undefined) return;
        const check = checkJsonSchema(schema);
        if (!check.ok)
          ctx.addIssue({
            code: 'custom',
            message: `outputSchema is not a valid JSON Schema 2020-12: ${check.message}`,
          });
      })
      .optional(),
    reuseKey: z
      .string()
      .regex(REUSE_KEY_PATTERN, 'reuseKey must be 1..128 characters of letters, digits, ".", "_", ":" or "-"')
      .optional(),
    model: z.enum(MODEL_ALIASES, { error: 'model must be one of haiku, sonnet, opus' }).optional(),
  })
  .strict();

/** A start request as sent on the wire. */
export type StartRequest = z.input<typeof StartRequestSchema>;

/** The `202` answer of start. */
export const StartResponseSchema = z.object({
  webTaskId: z.string(),
  status: z.literal('pending'),
  reuseKey: z.string(),
});
export type StartResponse = z.infer<typeof StartResponseSchema>;
