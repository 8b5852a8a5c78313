import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the binary; the shebang is harmless on the library entry.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
