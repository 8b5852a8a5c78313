// tries: poison Array.prototype (iterator, push, map) and Function.prototype so the runtime's
// locator chains and argument lists are corrupted on their way to the host.
// expect: ok|threw
exports.default = async function run(ctx) {
  Array.prototype[Symbol.iterator] = function* () {
    yield { kind: 'evil' };
  };
  Array.prototype.push = () => 0;
  Array.prototype.map = () => [{ kind: 'evil' }];
  Function.prototype.toString = () => 'process.exit(1)';
  const rows = await ctx.page.locator('li').all();
  await ctx.page.locator('li').filter({ has: ctx.page.locator('b') }).click();
  await ctx.page.evaluate(() => document.title);
  return rows.length;
};
