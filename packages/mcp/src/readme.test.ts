import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const blocks = (markdown: string, lang: string) =>
  [...markdown.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');

describe('README snippets', () => {
  it("the package README's TypeScript is the type-checked example file, word for word", () => {
    const [snippet] = blocks(read('../README.md'), 'ts');
    expect(snippet).toBe(read('./__fixtures__/readme-example.ts'));
  });

  it('the MCP client configurations in the root README are valid JSON of the documented shape', () => {
    const configs = blocks(read('../../../README.md'), 'json').map((text) => JSON.parse(text));
    const servers = configs.filter((c) => c.mcpServers).map((c) => c.mcpServers.webtasks);
    expect(servers).toHaveLength(2);
    const [stdio, http] = servers;
    expect(stdio.command).toBe('node');
    expect(stdio.args[0]).toMatch(/apps\/cli\/dist\/cli\.js$/);
    expect(stdio.args.slice(1, 3)).toEqual(['mcp', '--data-dir']);
    expect(Object.keys(stdio.env)).toEqual(['ANTHROPIC_API_KEY']);
    expect(http).toMatchObject({ type: 'http', url: expect.stringMatching(/\/mcp$/) });
    expect(http.headers.Authorization).toMatch(/^Bearer /);
  });
});
