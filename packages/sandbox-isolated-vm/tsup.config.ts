import { defineConfig } from 'tsup';

export default defineConfig({
  // The child process entry is plain JavaScript, emitted beside index.js so that
  // `new URL('./isolate-child.js', import.meta.url)` finds it from the bundle as from the sources.
  entry: { index: 'src/index.ts', 'isolate-child': 'src/isolate-child.js' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
