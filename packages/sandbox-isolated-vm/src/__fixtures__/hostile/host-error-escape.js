// tries: reach host objects through an error thrown by the host (its prototype, constructor,
// extra properties the host attached).
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  try {
    await ctx.page.goto('https://error.test/');
  } catch (error) {
    const extra = Object.getOwnPropertyNames(error).filter((name) => !['message', 'stack'].includes(name));
    const viaCtor = error.constructor.constructor('return typeof process')();
    const protoIsLocal = Object.getPrototypeOf(error) === Error.prototype;
    return extra.length === 0 && viaCtor === 'undefined' && protoIsLocal ? 'contained' : `ESCAPED ${extra.join(',')}`;
  }
  return 'host did not throw';
};
