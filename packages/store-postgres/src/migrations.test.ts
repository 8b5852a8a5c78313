import { afterAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from './migrations.js';

const pool = createTestPool(20);
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
});

const latest = Math.max(...POSTGRES_MIGRATIONS.map((migration) => migration.version));

describe('migratePostgres', () => {
  it('8 concurrent callers: each migration is applied exactly once', async () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    const results = await Promise.all(Array.from({ length: 8 }, () => migratePostgres({ pool, schema })));
    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
    expect(results.every((result) => result.version === latest)).toBe(true);
    const { rows } = await pool.query(`SELECT version FROM "${schema}".webtasks_migrations ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
  });

  it('is idempotent: a second run applies nothing', async () => {
    const schema = uniqueSchema('again');
    schemas.push(schema);
    expect((await migratePostgres({ pool, schema })).applied).toEqual([1]);
    expect(await migratePostgres({ pool, schema })).toEqual({ applied: [], version: latest });
  });

  it('works from a connection string and closes its own pool', async () => {
    const schema = uniqueSchema('url');
    schemas.push(schema);
    const user = process.env.PGUSER || 'postgres';
    const result = await migratePostgres({
      connectionString: `postgres://${user}@127.0.0.1:5432/test`,
      schema,
    });
    expect(result.version).toBe(latest);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migratePostgres({ pool, schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
      code: 'invalid-config',
    });
  });
});
