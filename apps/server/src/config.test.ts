import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-keys.js';
import { ConfigError, loadConfig } from './config.js';

const minimal = { WEBTASKS_API_KEYS: 'acme:dev-key', ANTHROPIC_API_KEY: 'sk-test' };

function problemsOf(env: Record<string, string>, files: Record<string, string> = {}): string[] {
  try {
    loadConfig(env, (file) => {
      if (!(file in files)) throw new Error(`ENOENT: ${file}`);
      return files[file]!;
    });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig', () => {
  it('gives an embedded single-process setup by default', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      role: 'both',
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      store: { kind: 'fs' },
      blobs: { kind: 'fs' },
      locks: { kind: 'memory' },
      queue: { kind: 'memory' },
      model: { provider: 'anthropic', apiKey: 'sk-test' },
      maxWaitSeconds: 60,
      bodyLimitBytes: 1024 * 1024,
    });
    expect(config.apiKeys).toEqual([{ workspaceId: 'acme', keyHash: hashApiKey('dev-key') }]);
    expect(JSON.stringify(config)).not.toContain('dev-key');
  });

  it('reads the caps that protect other tenants, with their defaults', () => {
    expect(loadConfig(minimal).runCaps).toEqual({
      maxConcurrentCalls: 64,
      maxReplyBytes: 8 * 1024 * 1024,
      maxOutputBytes: 32 * 1024 * 1024,
      maxPagesPerSession: 20,
      maxFramesPerPage: 200,
    });
    expect(loadConfig(minimal).maxTransferBytes).toBe(4 * 1024 ** 3);
    const config = loadConfig({
      ...minimal,
      WEBTASKS_MAX_CONCURRENT_CALLS: '16',
      WEBTASKS_MAX_REPLY_BYTES: '65536',
      WEBTASKS_MAX_FRAMES_PER_PAGE: '40',
    });
    expect(config.runCaps).toMatchObject({
      maxConcurrentCalls: 16,
      maxReplyBytes: 65_536,
      maxFramesPerPage: 40,
    });
    expect(() => loadConfig({ ...minimal, WEBTASKS_MAX_CONCURRENT_CALLS: '0' })).toThrow(
      /WEBTASKS_MAX_CONCURRENT_CALLS=0 must be a whole number between 1 and 100000/,
    );
  });

  it('reads the timing of run records and event streams across processes', () => {
    expect(loadConfig(minimal).runs).toEqual({ flushIntervalMs: 250, eventPollMs: 500 });
    expect(
      loadConfig({ ...minimal, WEBTASKS_RUN_FLUSH_MS: '50', WEBTASKS_EVENT_POLL_MS: '100' }).runs,
    ).toEqual({ flushIntervalMs: 50, eventPollMs: 100 });
    expect(() => loadConfig({ ...minimal, WEBTASKS_EVENT_POLL_MS: '5' })).toThrow(/WEBTASKS_EVENT_POLL_MS/);
  });

  it('reads trace and retention settings, and names a malformed retention pair', () => {
    expect(loadConfig(minimal)).toMatchObject({
      traceByDefault: false,
      retentionDays: 30,
      retentionByWorkspace: {},
    });
    expect(
      loadConfig({
        ...minimal,
        WEBTASKS_TRACE: 'true',
        WEBTASKS_RETENTION_DAYS: '7',
        WEBTASKS_RETENTION_BY_WORKSPACE: 'ws_a:1, ws_b:90',
      }),
    ).toMatchObject({ traceByDefault: true, retentionDays: 7, retentionByWorkspace: { ws_a: 1, ws_b: 90 } });
    expect(problemsOf({ ...minimal, WEBTASKS_RETENTION_BY_WORKSPACE: 'ws_a=7' })).toEqual([
      expect.stringContaining('WEBTASKS_RETENTION_BY_WORKSPACE: "ws_a=7" must be workspace:days'),
    ]);
    expect(problemsOf({ ...minimal, WEBTASKS_RETAIN_COMPLETED_DAYS: '7' })).toEqual([
      expect.stringContaining('WEBTASKS_RETAIN_COMPLETED_DAYS is replaced by WEBTASKS_RETENTION_DAYS'),
    ]);
  });

  it('reads WEBTASKS_PROXY with its credentials, and names a malformed one with the password masked', () => {
    expect(
      loadConfig({ ...minimal, WEBTASKS_PROXY: 'socks5://ann:p%40ss@proxy.example:1080' }).proxy,
    ).toEqual({
      server: 'socks5://proxy.example:1080',
      username: 'ann',
      password: 'p@ss',
    });
    const problems = problemsOf({ ...minimal, WEBTASKS_PROXY: 'ftp://ann:hunter2@proxy.example' });
    expect(problems.join('\n')).toMatch(
      /WEBTASKS_PROXY \(ftp:\/\/ann:\*\*\*@proxy.example\): .*use http:\/\/, https:\/\/ or socks5:\/\//,
    );
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reads a scaled-out API process', () => {
    const config = loadConfig(
      {
        WEBTASKS_ROLE: 'api',
        WEBTASKS_STORE: 'postgres',
        WEBTASKS_POSTGRES_URL: 'postgres://db/webtasks',
        WEBTASKS_BLOBS: 's3',
        WEBTASKS_S3_BUCKET: 'results',
        WEBTASKS_S3_ENDPOINT: 'http://127.0.0.1:4568',
        WEBTASKS_S3_FORCE_PATH_STYLE: 'true',
        WEBTASKS_LOCKS: 'redis',
        WEBTASKS_QUEUE: 'bullmq',
        WEBTASKS_REDIS_URL: 'redis://cache:6379',
        WEBTASKS_PUBLIC_URL: 'https://webtasks.example.com/',
        WEBTASKS_API_KEYS_FILE: '/etc/webtasks/keys',
      },
      () => `# keys\n{"workspaceId":"acme","keyHash":"${hashApiKey('k')}"}\n\n`,
    );
    expect(config).toMatchObject({
      role: 'api',
      store: { kind: 'postgres', connectionString: 'postgres://db/webtasks' },
      blobs: { kind: 's3', bucket: 'results', endpoint: 'http://127.0.0.1:4568', forcePathStyle: true },
      locks: { kind: 'redis', url: 'redis://cache:6379', prefix: 'webtasks:' },
      queue: { kind: 'bullmq', url: 'redis://cache:6379', prefix: 'webtasks' },
      publicUrl: 'https://webtasks.example.com',
      apiKeys: [{ workspaceId: 'acme', keyHash: hashApiKey('k') }],
    });
  });

  it('lists every problem at once, naming the variable to fix', () => {
    const problems = problemsOf({
      WEBTASKS_ROLE: 'worker',
      WEBTASKS_STORE: 'mysql',
      WEBTASKS_BLOBS: 's3',
      WEBTASKS_PORT: 'eighty',
      WEBTASKS_MODEL_PROVIDER: 'openai',
      WEBTASKS_FILE_SECRET: 'short',
    });
    expect(problems.join('\n')).toMatch(/WEBTASKS_STORE=mysql/);
    expect(problems.join('\n')).toMatch(/WEBTASKS_S3_BUCKET/);
    expect(problems.join('\n')).toMatch(/WEBTASKS_PORT=eighty/);
    expect(problems.join('\n')).toMatch(/WEBTASKS_LOCKS=redis and WEBTASKS_QUEUE=bullmq/);
    expect(problems.join('\n')).toMatch(/OPENAI_BASE_URL/);
    expect(problems.join('\n')).toMatch(/WEBTASKS_FILE_SECRET/);
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it('requires API keys for API processes; a model is optional (saved code only without one)', () => {
    expect(problemsOf({ ANTHROPIC_API_KEY: 'x' }).join()).toMatch(/No API keys/);
    expect(problemsOf({ WEBTASKS_API_KEYS: 'a:b' })).toEqual([]);
    expect(loadConfig({ WEBTASKS_API_KEYS: 'a:b' }).model).toEqual({ provider: 'anthropic', models: {} });
  });

  it('rejects malformed key settings with their line', () => {
    expect(problemsOf({ ...minimal, WEBTASKS_API_KEYS: 'no-colon' }).join()).toMatch(/workspaceId:apiKey/);
    const file = problemsOf(
      { ANTHROPIC_API_KEY: 'x', WEBTASKS_API_KEYS_FILE: '/k' },
      { '/k': '{"workspaceId":"a","keyHash":"md5:1"}' },
    );
    expect(file.join()).toMatch(/\/k line 1.*keyHash/);
    expect(problemsOf({ ANTHROPIC_API_KEY: 'x', WEBTASKS_API_KEYS_FILE: '/missing' }).join()).toMatch(
      /WEBTASKS_API_KEYS_FILE: ENOENT/,
    );
  });

  it('maps WEBTASKS_MODELS to the aliases', () => {
    const one = loadConfig({
      ...minimal,
      WEBTASKS_MODEL_PROVIDER: 'openai',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      WEBTASKS_MODELS: 'qwen3',
    });
    expect(one.model).toMatchObject({
      provider: 'openai',
      models: { haiku: 'qwen3', sonnet: 'qwen3', opus: 'qwen3' },
    });
    expect(problemsOf({ ...minimal, WEBTASKS_MODELS: '{"gpt":1}' }).join()).toMatch(/WEBTASKS_MODELS/);
  });
});
