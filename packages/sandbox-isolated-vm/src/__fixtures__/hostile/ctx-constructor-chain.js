// tries: walk the constructor chains of the bridge objects (page, locators, files, ai, log)
// to a Function that returns a host global.
// expect: ok
// output: "contained"
exports.default = async function run(ctx) {
  const targets = [ctx, ctx.page, ctx.page.goto, ctx.page.locator('a'), ctx.page.keyboard, ctx.files, ctx.ai, ctx.log, ctx.log.info];
  for (const target of targets) {
    const fn = target.constructor.constructor;
    const global = fn('return this')();
    for (const name of ['process', 'require', 'module', 'Buffer', 'global', '_ivm', 'ivm']) {
      if (typeof global[name] !== 'undefined') return `ESCAPED via ${name}`;
    }
  }
  return 'contained';
};
