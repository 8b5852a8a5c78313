import { defineConfig } from 'tsup';

/**
 * The dashboard served at `/ui`: one browser script and one stylesheet, minified into
 * `dist/ui/`. Runs after the server build (its `clean` would remove this folder).
 */
export default defineConfig({
  entry: { app: 'src/ui/app.ts' },
  outDir: 'dist/ui',
  format: ['iife'],
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  clean: true,
  sourcemap: false,
  dts: false,
  // The stylesheet is imported by app.ts; esbuild writes it beside the script as app.css.
  injectStyle: false,
  outExtension: () => ({ js: '.js' }),
});
