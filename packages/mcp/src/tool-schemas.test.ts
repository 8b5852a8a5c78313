import { createJsonSchemaValidator } from '@webtasks/protocol';
import { describe, expect, it } from 'vitest';
import { automationOutputSchema, inferParameterSchema } from './tool-schemas.js';

describe('tool schemas', () => {
  it('embeds a bundle schema under data, keeping $defs and root references resolvable', () => {
    const tree = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { name: { $ref: '#/$defs/name' }, children: { type: 'array', items: { $ref: '#' } } },
      required: ['name'],
      $defs: { name: { type: 'string', minLength: 1 } },
    };
    const wrapped = automationOutputSchema(tree);
    expect(wrapped).not.toHaveProperty('properties.data.$schema');
    const validate = createJsonSchemaValidator().compile(wrapped);
    expect(
      validate({ webTaskId: 'wt_1', data: { name: 'a', children: [{ name: 'b', children: [] }] } }),
    ).toBe(true);
    expect(validate({ webTaskId: 'wt_1', data: { name: 'a', children: [{ name: '' }] } })).toBe(false);
    expect(validate({ data: { name: 'a' } })).toBe(false);
  });

  it('gives each distinct output schema its own stable $id, so clients compile it once', () => {
    const a = automationOutputSchema({ type: 'array', items: { type: 'string' } });
    expect(a.$id).toMatch(/^urn:webtasks:automation-output:[0-9a-f]{32}$/);
    expect(automationOutputSchema({ type: 'array', items: { type: 'string' } }).$id).toBe(a.$id);
    expect(automationOutputSchema({ type: 'array', items: { type: 'number' } }).$id).not.toBe(a.$id);
  });

  it('wraps array and scalar output schemas, which MCP cannot take at the top', () => {
    const wrapped = automationOutputSchema({ type: 'array', items: { type: 'string' } });
    expect(wrapped.type).toBe('object');
    const validate = createJsonSchemaValidator().compile(wrapped);
    expect(validate({ webTaskId: 'wt_1', data: ['a'] })).toBe(true);
    expect(validate({ webTaskId: 'wt_1', data: [1] })).toBe(false);
  });

  it('infers a parameter schema from one run: types, examples, all required', () => {
    const schema = inferParameterSchema({ batch: 'S24', limit: 10, exact: false, tags: ['a'], extra: null });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        batch: { type: 'string', examples: ['S24'] },
        limit: { type: 'number', examples: [10] },
        exact: { type: 'boolean', examples: [false] },
        tags: { type: 'array', items: { type: 'string' }, examples: [['a']] },
        extra: { type: 'null', examples: [null] },
      },
      required: ['batch', 'limit', 'exact', 'tags', 'extra'],
      additionalProperties: true,
    });
    const validate = createJsonSchemaValidator().compile(schema);
    expect(validate({ batch: 'W25', limit: 2.5, exact: true, tags: [], extra: null })).toBe(true);
    expect(validate({ batch: 25, limit: 2, exact: true, tags: [], extra: null })).toBe(false);
  });
});
