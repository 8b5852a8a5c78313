// tries: an output whose getter throws while the runtime serialises it.
// expect: invalid-output
exports.default = async function run() {
  return Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('boom'); } });
};
