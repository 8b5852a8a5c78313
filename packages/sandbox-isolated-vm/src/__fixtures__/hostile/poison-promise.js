// tries: replace Promise.prototype.then and the Promise constructor while host calls are in flight.
// expect: ok|threw
exports.default = async function run(ctx) {
  const pending = ctx.page.title();
  Promise.prototype.then = function () {
    throw new Error('poisoned then');
  };
  globalThis.Promise = function FakePromise() {};
  return pending;
};
