import { WebTasksError } from '@webtasks/core';
import { PREFIX } from './errors.js';

/** The schema webtasks uses when none is given. */
export const DEFAULT_SCHEMA = 'webtasks';

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Validate a schema name and return it double-quoted for SQL. */
export function quoteSchema(schema: string = DEFAULT_SCHEMA): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${PREFIX} Invalid schema name ${JSON.stringify(schema)}: use 1–63 letters, digits and underscores, not starting with a digit.`,
    });
  }
  return `"${schema}"`;
}
