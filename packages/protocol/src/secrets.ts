import { z } from 'zod';

/** A secret's name: a letter or `_`, then up to 63 letters, digits or `_` (usable as `ctx.secrets.name`). */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Most secrets one request may carry. */
export const MAX_REQUEST_SECRETS = 32;
/** Shortest secret value: shorter ones would be redacted out of ordinary text. */
export const MIN_SECRET_VALUE_LENGTH = 4;
/** Longest secret value, in characters. */
export const MAX_SECRET_VALUE_LENGTH = 8192;

/** How a secret shows wherever its value would: logs, events, results, the model's context. */
export function secretPlaceholder(name: string): string {
  return `«secret:${name}»`;
}

/** A secret's value (its content never appears in an error message). */
export const SecretValueSchema = z
  .string({ error: 'a secret value must be a string' })
  .min(MIN_SECRET_VALUE_LENGTH, `a secret value must be at least ${MIN_SECRET_VALUE_LENGTH} characters`)
  .max(MAX_SECRET_VALUE_LENGTH, `a secret value is longer than ${MAX_SECRET_VALUE_LENGTH} characters`);

/** The request's `secrets`: name → value, read by code as `ctx.secrets.name`. */
export const RequestSecretsSchema = z
  .record(
    z
      .string()
      .regex(SECRET_NAME_PATTERN, 'secret names are a letter or "_" then up to 63 letters, digits or "_"'),
    SecretValueSchema,
    { error: 'secrets must be a JSON object of strings' },
  )
  .refine((secrets) => Object.keys(secrets).length <= MAX_REQUEST_SECRETS, {
    message: `secrets holds more than ${MAX_REQUEST_SECRETS} entries`,
  });

/** Body of `PUT /{workspaceId}/secrets/{name}`. */
export const PutSecretSchema = z.object({ value: SecretValueSchema }).strict();

/** One stored workspace secret as listed (never its value). */
export const SecretSummarySchema = z.object({ name: z.string(), updatedAt: z.string() });
export type SecretSummary = z.infer<typeof SecretSummarySchema>;
