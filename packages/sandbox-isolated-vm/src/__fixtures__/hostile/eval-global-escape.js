// tries: indirect eval and Function('return this') to reach a host global.
// expect: ok
// output: "contained"
exports.default = async function run() {
  const globals = [(0, eval)('this'), Function('return this')(), globalThis];
  for (const global of globals) {
    if (typeof global.process !== 'undefined' || typeof global.require !== 'undefined') return 'ESCAPED';
  }
  return 'contained';
};
