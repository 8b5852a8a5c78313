import { z } from 'zod';
import { SECRET_NAME_PATTERN } from './secrets.js';

/** An auth session's name: the same rule as secret names. */
export const AUTH_SESSION_NAME_PATTERN = SECRET_NAME_PATTERN;

const CookieSchema = z.looseObject({
  name: z.string().max(4096),
  value: z.string().max(16_384),
  domain: z.string().min(1).max(1024),
  path: z.string().max(4096),
  /** Unix time in seconds; -1 for a session cookie. */
  expires: z.number(),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.enum(['Strict', 'Lax', 'None']),
});

const OriginSchema = z.looseObject({
  origin: z.string().min(1),
  localStorage: z.array(z.object({ name: z.string(), value: z.string() })).max(10_000),
});

/**
 * A Playwright storage state (`context.storageState()`, `npx playwright codegen --save-storage`):
 * cookies plus each origin's localStorage. Errors name the JSON path (`cookies.0.sameSite`).
 */
export const StorageStateSchema = z
  .object({
    cookies: z.array(CookieSchema).max(10_000),
    origins: z.array(OriginSchema).max(1_000),
  })
  .strict();
export type StorageStateWire = z.infer<typeof StorageStateSchema>;

/** The request's `auth`: run the task in a browser that starts from a stored session. */
export const RequestAuthSchema = z
  .object({
    session: z
      .string({ error: 'auth.session is required: the name of an imported auth session' })
      .regex(
        AUTH_SESSION_NAME_PATTERN,
        'auth.session is a letter or "_" then up to 63 letters, digits or "_"',
      ),
  })
  .strict();

/** One stored auth session as listed (never its cookies). */
export const AuthSessionSummarySchema = z.object({
  name: z.string(),
  updatedAt: z.string(),
  cookieCount: z.number().int(),
  origins: z.array(z.string()),
  /**
   * Present when the session signs in again by itself: the login bundle's reuse key and its check,
   * a URL (`checkUrl`) or a check bundle's reuse key (`checkKey`).
   */
  login: z
    .object({ reuseKey: z.string(), checkUrl: z.string().optional(), checkKey: z.string().optional() })
    .optional(),
});
export type AuthSessionSummary = z.infer<typeof AuthSessionSummarySchema>;
