import { describe, expect, it } from 'vitest';
import { WebTasksError } from '../errors.js';
import {
  checkParamsSchema,
  checkProposedParamsSchema,
  createParameterChecker,
  parametersForBundle,
} from './params-check.js';

const schema = {
  type: 'object',
  properties: {
    batch: { type: 'string', pattern: '^[SW]\\d{2}$' },
    pages: { type: 'integer', minimum: 1, default: 5 },
    sort: { enum: ['name', 'size'], default: 'name' },
  },
  required: ['batch'],
  additionalProperties: false,
};

describe('parameter schemas', () => {
  const checker = createParameterChecker();

  it('applies defaults to a copy and leaves the caller’s parameters alone', () => {
    const params = { batch: 'S24' };
    const check = checker.check(schema, params);
    expect(check).toEqual({ ok: true, params: { batch: 'S24', pages: 5, sort: 'name' } });
    expect(params).toEqual({ batch: 'S24' });
  });

  it('names each bad parameter by path with what was expected', () => {
    const check = checker.check(schema, { batch: 'summer', pages: 0, colour: 'red' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual(
      expect.arrayContaining([
        { path: '/batch', expected: 'must match pattern "^[SW]\\d{2}$"' },
        { path: '/pages', expected: 'must be >= 1' },
        { path: '/colour', expected: 'no such parameter (the schema does not allow it)' },
      ]),
    );
    const missing = checker.check(schema, {});
    expect(!missing.ok && missing.message).toBe('/batch: expected a value (it is required)');
    const wrongEnum = checker.check(schema, { batch: 'S24', sort: 'age' });
    expect(!wrongEnum.ok && wrongEnum.message).toBe('/sort: expected one of ["name","size"]');
  });

  it('refuses a run before anything starts with an invalid-request error (a rejected task)', () => {
    const bundle = { reuseKey: 'companies', version: 3, paramsSchema: schema };
    expect(parametersForBundle(bundle, { batch: 'W21' })).toEqual({ batch: 'W21', pages: 5, sort: 'name' });
    let caught: unknown;
    try {
      parametersForBundle(bundle, { batch: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(WebTasksError.hasCode(caught, 'invalid-request')).toBe(true);
    expect((caught as WebTasksError).taskErrorCode).toBe('rejected');
    expect((caught as WebTasksError).message).toMatch(
      /^The parameters do not match the parameter schema of reuse key "companies" v3: \/batch: expected must match pattern/,
    );
    // No schema: the parameters pass through unchanged.
    expect(parametersForBundle({ reuseKey: 'k', version: 1 }, { any: 1 })).toEqual({ any: 1 });
  });

  it('checks proposed schemas: valid 2020-12, an object, and accepting the run’s own parameters', () => {
    expect(checkProposedParamsSchema(schema, { batch: 'S24' })).toEqual({ ok: true });
    expect(checkProposedParamsSchema(schema, { batch: 'nope' })).toMatchObject({
      ok: false,
      message: expect.stringContaining("rejects this run's own parameters (/batch"),
    });
    expect(checkParamsSchema({ type: 'string' }, 'paramsSchema')).toMatchObject({
      ok: false,
      message: expect.stringContaining('must describe an object'),
    });
    expect(checkParamsSchema({ type: 'object', properties: { a: { type: 'nonsense' } } }, 'x')).toMatchObject(
      {
        ok: false,
        message: expect.stringContaining('x is not a valid JSON Schema 2020-12'),
      },
    );
  });
});
