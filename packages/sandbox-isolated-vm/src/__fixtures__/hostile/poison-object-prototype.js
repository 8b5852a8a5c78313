// tries: poison Object.prototype (toJSON, getters on "kind"/"command") so the calls and the
// output the host receives are forged or crash the host's handling.
// expect: ok
// output: "survived"
exports.default = async function run(ctx) {
  Object.defineProperty(Object.prototype, 'kind', { get: () => 'files.download', configurable: true });
  Object.prototype.toJSON = function () {
    return 'forged';
  };
  Object.prototype.then = function (resolve) {
    resolve('hijacked');
  };
  try {
    await ctx.page.title();
  } catch {}
  try {
    await ctx.page.locator('a').click();
  } catch {}
  return 'survived';
};
