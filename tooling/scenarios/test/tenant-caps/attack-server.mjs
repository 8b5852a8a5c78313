#!/usr/bin/env node
/**
 * One webtasks server process for the tenant-caps scenario: the real server (`loadConfig`,
 * `startServer`, `assemble`) with its real Chromium, isolates and ts-morph compiler, and a
 * scripted model that "writes" the attack the task names (`attack:<name>`). Built packages
 * only (`pnpm exec turbo run build` first). Prints `ATTACK_READY <url>` once it listens.
 */
import { assemble, loadConfig, startServer } from '@webtasks/server';
import { createScriptedLanguageModel, toolCall } from '@webtasks/test-suite';

/** The code of each attack of issue 11 ("one run can starve a worker's other tenants"). */
const ATTACKS = {
  // 99,000 concurrent bridged calls.
  titles: `await Promise.all(Array.from({ length: 99000 }, () => ctx.page.title()));
  return [{ done: true }];`,
  // An evaluate() reply of 256 M characters.
  evaluate: `const text = await ctx.page.evaluate(() => 'x'.repeat(256 * 1024 * 1024));
  return [{ length: text.length }];`,
  // 20,000 locators read in parallel.
  locators: `await ctx.page.evaluate(() => {
    for (let i = 0; i < 20000; i++) { const li = document.createElement('li'); li.textContent = 'item ' + i; document.body.appendChild(li); }
  });
  const items = await Promise.all(Array.from({ length: 20000 }, (_, i) => ctx.page.locator('li').nth(i).textContent()));
  return [{ count: items.length }];`,
  // 200 popups and 2,000 iframes.
  frames: `await ctx.page.evaluate(() => {
    for (let i = 0; i < 200; i++) window.open('about:blank');
    for (let i = 0; i < 2000; i++) document.body.appendChild(document.createElement('iframe'));
  });
  await ctx.page.waitForTimeout(2000);
  return [{ title: await ctx.page.title() }];`,
};

const model = createScriptedLanguageModel((request) => {
  const name = /attack:(\w+)/.exec(JSON.stringify(request.messages))?.[1] ?? 'titles';
  const body = ATTACKS[name] ?? ATTACKS.titles;
  const source = `import type { TaskContext } from 'webtasks:runtime';\nexport default async function run(ctx: TaskContext) {\n  ${body}\n}\n`;
  return {
    content: [toolCall('submit', { source, outputSchema: { type: 'array', items: { type: 'object' } } })],
  };
});

const config = loadConfig(process.env);
const server = await startServer(config, {
  assembleEngine: (configuration, logger) =>
    assemble(configuration, logger, {
      model,
      prices: {},
      limits: { maxExploreAttempts: 1, maxRepairAttempts: 1 },
    }),
});
console.log(`ATTACK_READY ${server.url}`);
const stop = () =>
  server.shutdown('SIGTERM').then(
    () => process.exit(0),
    () => process.exit(1),
  );
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
