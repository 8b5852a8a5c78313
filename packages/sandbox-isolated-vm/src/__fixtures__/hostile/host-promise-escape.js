// tries: reach the host through the promise objects the bridge returns.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const promise = ctx.page.title();
  const localPromise = Object.getPrototypeOf(promise) === Promise.prototype;
  const viaThen = promise.then.constructor('return typeof process')();
  const viaCtor = promise.constructor.constructor('return typeof require')();
  const title = await promise;
  return localPromise && viaThen === 'undefined' && viaCtor === 'undefined' && title === 'T' ? 'contained' : 'ESCAPED';
};
