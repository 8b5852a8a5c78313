/**
 * `@webtasks/server/environment`: the one configuration of webtasks (the environment schema,
 * `loadConfig`, `assemble`), without the HTTP server. `webtasks run` imports this entry, so it
 * loads neither fastify nor any adapter it is not configured for.
 */
export {
  type Assembly,
  type AssemblyOverrides,
  assemble,
  describeModel,
  hasModel,
  SERVER_SETTING_NAMES,
} from './assemble.js';
export {
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  type ServerConfig,
  type ServerRole,
} from './config.js';
export {
  ENV_VARIABLES,
  type Environment,
  EnvironmentSchema,
  type EnvVariable,
  type EnvVariableName,
  FALLBACK_VARIABLES,
  parseEnvironment,
  REMOVED_VARIABLES,
  RENAMED_VARIABLES,
  renderAliasTable,
  renderVariableTable,
} from './env-schema.js';
