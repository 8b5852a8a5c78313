export {
  type ApiKeyEntry,
  createApiKeyAuth,
  generateApiKey,
  hashApiKey,
  parseApiKeyPairs,
  parseApiKeysFile,
  WORKSPACE_ID_PATTERN,
  type WorkspaceAuth,
} from './api-keys.js';
export {
  type Assembly,
  type AssemblyOverrides,
  assemble,
  describeModel,
  queueAttempts,
} from './assemble.js';
export {
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  type ServerConfig,
  type ServerRole,
} from './config.js';
export { type CreateServerOptions, createServer } from './create-server.js';
export { pinoEngineLogger } from './engine-logger.js';
export { HttpError } from './http-errors.js';
export type { FileUrlCheck, FileUrlVerifier } from './routes/files.js';
export type { ReadinessCheck } from './routes/health.js';
export { MAX_WAIT_HEADER, WEB_TASK_ID_PATTERN } from './routes/web-tasks.js';
export { type RunningServer, type StartServerOptions, startServer } from './serve.js';
