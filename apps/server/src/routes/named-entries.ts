import { WebTasksError } from '@webtasks/core';
import { HttpError } from '../http-errors.js';
import { workspaceParam } from '../route-schemas.js';

// What the secret and auth-session routes share: entries of a workspace addressed by name,
// stored sealed under the server's WEBTASKS_SECRETS_KEY.

/** Path parameters of a route on one named entry. */
export type NameParams = { workspaceId: string; name: string };

/** The JSON Schema of those parameters, with what the name means. */
export function nameParamsSchema(nameDescription: string) {
  return {
    type: 'object',
    properties: { workspaceId: workspaceParam, name: { type: 'string', description: nameDescription } },
    required: ['workspaceId', 'name'],
  };
}

/** 400 `invalid-request` unless `name` matches `pattern` (`noun`: "secret", "auth session"). */
export function checkName(name: string, pattern: RegExp, noun: string): void {
  if (!pattern.test(name))
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message: `A${/^[aeiou]/.test(noun) ? 'n' : ''} ${noun} name is a letter or "_" then up to 63 letters, digits or "_".`,
      details: [{ path: ['name'], message: `invalid ${noun} name` }],
    });
}

/** `invalid-config` (no key on the server) is the caller's to know about: 403 naming the setting. */
export async function keyed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (WebTasksError.hasCode(error, 'invalid-config'))
      throw new HttpError({ statusCode: 403, code: 'forbidden', message: error.message });
    throw error;
  }
}
