// tries: log values whose getters, toJSON and proxy traps throw, to break the logger.
// expect: ok
// output: "logged"
exports.default = async function run(ctx) {
  const trap = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
  const getter = Object.defineProperty({}, 'x', { enumerable: true, get() { throw new Error('getter'); } });
  const toJson = { toJSON() { throw new Error('toJSON'); } };
  ctx.log.info(trap, getter, toJson, Symbol('s'), 10n);
  console.log(trap);
  return 'logged';
};
