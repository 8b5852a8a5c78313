// tries: SharedArrayBuffer and Atomics.wait to block the isolate's thread forever.
// expect: ok
// output: "contained"
exports.default = async function run() {
  if (typeof SharedArrayBuffer !== 'undefined' || typeof Atomics !== 'undefined') {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 0);
    return 'ESCAPED';
  }
  return 'contained';
};
