import { describeSecretStoreContract } from '@webtasks/test-suite';
import { afterAll, beforeAll } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { migratePostgres } from './migrations.js';
import { createPostgresSecretStore } from './secret-store.js';

const pool = createTestPool();
const schema = uniqueSchema('secrets');

beforeAll(async () => {
  await migratePostgres({ pool, schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describeSecretStoreContract({
  name: 'postgres',
  create: () => createPostgresSecretStore({ pool, schema, migrate: false }),
});
