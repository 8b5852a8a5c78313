export { renderStandaloneScript } from '@webtasks/core';
export type { CliContext } from './context.js';
export {
  type ConfigFlags,
  createEmbeddedEngine,
  type EmbeddedEngine,
  type EmbeddedEngineOptions,
  environmentWithFlags,
  loadEmbeddedConfig,
  resolveDataDir,
} from './embedded.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { runCli } from './main.js';
