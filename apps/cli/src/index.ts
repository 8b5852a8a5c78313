export type { CliContext } from './context.js';
export {
  type ConfiguredModel,
  createEmbeddedEngine,
  type EmbeddedEngine,
  type EmbeddedEngineOptions,
  modelFromEnv,
  resolveDataDir,
} from './embedded.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { renderStandaloneScript } from './export/standalone-script.js';
export { runCli } from './main.js';
