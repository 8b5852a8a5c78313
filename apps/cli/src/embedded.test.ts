import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmbeddedConfig } from './embedded.js';
import { EXIT } from './exit-codes.js';

function collect() {
  const chunks: string[] = [];
  return { write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

describe('loadEmbeddedConfig (the server schema, with the CLI flags written in)', () => {
  it('maps --data-dir, --allow-host and --timeout onto their variables; flags win', async () => {
    const config = await loadEmbeddedConfig({
      env: {
        WEBTASKS_DATA_DIR: '/elsewhere',
        WEBTASKS_EGRESS_ALLOW_HOSTS: 'intranet.test',
        WEBTASKS_TASK_TIMEOUT_MS: '5000',
        WEBTASKS_TRACE: 'true',
      },
      cwd: '/work/project',
      flags: { dataDir: 'data', allowHosts: ['127.0.0.1:8080'], timeoutSeconds: 90 },
    });
    expect(config).toMatchObject({
      dataDir: path.resolve('/work/project', 'data'),
      egressAllowHosts: ['intranet.test', '127.0.0.1:8080'],
      taskTimeoutMs: 90_000,
      traceByDefault: true,
      role: 'both',
      apiKeys: [],
    });
    const defaults = await loadEmbeddedConfig({ env: {}, cwd: '/work/project' });
    expect(defaults).toMatchObject({ dataDir: '/work/project/.webtasks', taskTimeoutMs: 600_000 });
  });

  it('prints one warning line per old variable, naming the new spelling', async () => {
    const stderr = collect();
    const config = await loadEmbeddedConfig({
      env: { WEBTASKS_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', WEBTASKS_OPENAI_MODEL: 'qwen3-coder' },
      cwd: '/tmp',
      stderr,
    });
    expect(config.model).toMatchObject({ provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(stderr.text()).toBe(
      'warning: WEBTASKS_OPENAI_BASE_URL is deprecated: use OPENAI_BASE_URL and WEBTASKS_MODEL_PROVIDER=openai.\n' +
        'warning: WEBTASKS_OPENAI_MODEL is deprecated: use WEBTASKS_MODELS.\n',
    );
  });

  it('refuses a bad environment with a usage error listing every variable', async () => {
    const refused = loadEmbeddedConfig({
      env: { WEBTASKS_STORE: 'mysql', WEBTASKS_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
      cwd: '/tmp',
    });
    await expect(refused).rejects.toMatchObject({ exitCode: EXIT.usage });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toContain('WEBTASKS_STORE=mysql is not one of fs, postgres');
    expect(message).toContain('WEBTASKS_MODEL_PROVIDER=openai needs WEBTASKS_MODELS');
    expect(message).toContain('docs/configuration.md');
  });
});
