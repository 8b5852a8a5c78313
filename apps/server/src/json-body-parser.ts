import { jsonTextDepth, MAX_JSON_DEPTH } from '@webtasks/protocol';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/**
 * The JSON body parser of the API: Fastify's own (prototype-poisoning checks included), behind
 * a linear scan of the raw text that refuses bodies nested deeper than `MAX_JSON_DEPTH`. A
 * deeply nested body is refused at the edge, before any recursive code (the JSON parser's
 * poisoning scan, schema checks, a store's serialiser) could run out of stack on it.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const depth = jsonTextDepth(text, MAX_JSON_DEPTH);
    if (depth > MAX_JSON_DEPTH) {
      done(
        new HttpError({
          statusCode: 400,
          code: 'invalid-request',
          message: `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep: flatten parameters (and outputSchema) and send it again.`,
        }),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
