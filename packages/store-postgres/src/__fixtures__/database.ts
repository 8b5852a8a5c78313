import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A pool on the shared test database (127.0.0.1:5432, trust auth, database `test`).
 * `PGUSER` / `PGDATABASE` / `PGHOST` override the defaults.
 */
export function createTestPool(max = 10): pg.Pool {
  return new pg.Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER || 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max,
  });
}

/** A schema name no other test file uses. */
export function uniqueSchema(label: string): string {
  return `wt_test_${label}_${randomBytes(4).toString('hex')}`;
}

/** Drop a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
