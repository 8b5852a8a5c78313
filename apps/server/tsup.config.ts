import { defineConfig } from 'tsup';

export default defineConfig({
  // The library entry, the configuration entry (no HTTP server: `webtasks run` loads it), the
  // server process and the key-hashing helper.
  entry: ['src/index.ts', 'src/environment.ts', 'src/main.ts', 'src/hash-key.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/environment.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
