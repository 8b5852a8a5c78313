import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltCli, runInProcess } from './__fixtures__/run-cli.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-usage-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('webtasks usage', () => {
  it('prints help with the exit codes, and exits 2 without a command', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:[\s\S]*run[\s\S]*bundles/);
    expect(help.stdout).toContain('4  server or network error');
    const none = await runInProcess([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: webtasks <command>');
  });

  it('refuses unknown commands and flags with exit 2 and names the help to read', async () => {
    const command = await runInProcess(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('Unknown command "frobnicate"');
    const flag = await runInProcess(['run', 'a task', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown flag --bogus');
    expect(flag.stderr).toContain('webtasks run --help');
    const missingValue = await runInProcess(['run', 'a task', '--reuse-key']);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toContain('--reuse-key');
  });

  it.each([
    [['run', 'x', '--params', '{bad'], '--params is not valid JSON'],
    [['run', 'x', '--params', '[1]'], '--params must be a JSON object'],
    [['run', 'x', '--param', 'novalue'], 'is not key=value'],
    [['run', 'x', '--model', 'gpt'], '--model must be one of haiku, sonnet, opus'],
    [['run', 'x', '--timeout', 'soon'], '--timeout must be a number'],
    [['run', 'x', '--reuse-key', 'has space'], '--reuse-key must be'],
    [['run', 'x', '--start-url', 'ftp://example.com'], 'startUrl must be an absolute http'],
    [['run', 'x', '--schema', '{"type": 12}'], 'outputSchema is not a valid JSON Schema'],
    [['run', 'x', '--schema', 'missing.json'], 'Cannot read the schema file "missing.json"'],
    [['run', 'x', '--allow-host', 'http://127.0.0.1:80/'], '--allow-host takes a host'],
    [['run', 'x', '--proxy', 'ftp://ann:hunter2@proxy.example'], '--proxy ftp://ann:***@proxy.example'],
    [['run', 'x', '--proxy', 'not a url'], '--proxy not a url: proxy.server must be a URL'],
    [['run'], 'Missing the task'],
    [['bundles', 'frob'], 'Unknown bundles subcommand "frob"'],
    [['bundles', 'diff', 'key', '1'], 'Missing TO'],
    [['bundles', 'rollback', 'key', 'latest'], 'VERSION must be a version number'],
    [['bundles', 'import', 'key', 'bundle.ts'], 'Missing --schema'],
  ])('%j is a usage error', async (args, message) => {
    const run = await runInProcess([...args, '--data-dir', dataDir]);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.code).toBe(2);
  });

  it('says to set ANTHROPIC_API_KEY when there is neither a model nor saved code', async () => {
    const run = await runInProcess([
      'run',
      'Collect the companies',
      '--reuse-key',
      'nothing-saved',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Set ANTHROPIC_API_KEY');
  });

  it('answers 3 for a bundle that does not exist', async () => {
    const run = await runInProcess(['bundles', 'show', 'no-such-key', '--data-dir', dataDir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('No bundle "no-such-key"');
  });

  it('needs server settings for server commands, and answers 4 when the server is down', async () => {
    const noId = await runInProcess(['result']);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('Missing the web task id');
    const missing = await runInProcess(['result', 'wt_1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('WEBTASKS_BASE_URL');
    const port = await closedPort();
    const down = await runInProcess([
      'result',
      'wt_1',
      '--base-url',
      `http://127.0.0.1:${port}`,
      '--api-key',
      'k',
      '--workspace',
      'w',
    ]);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('Is the server running?');
  });

  it('the built binary re-executes itself and keeps the exit code of a usage error', async () => {
    const help = await runBuiltCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('webtasks <command>');
    const bad = await runBuiltCli(['bundles', 'list', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown flag --nope');
  });

  it('documents `webtasks mcp` and refuses its bad flags before anything starts', async () => {
    const help = await runInProcess(['mcp', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: webtasks mcp');
    expect((await runInProcess(['--help'])).stdout).toMatch(/mcp\s+serve the saved automations as MCP tools/);
    const bad = await runInProcess(['mcp', '--port', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('webtasks mcp --help');
    const host = await runInProcess(['mcp', '--allow-host', 'http://x/']);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('--allow-host takes a host or host:port');
  });
});
