// tries: double a string until it no longer fits (and keep every copy alive).
// expect: memory|crashed|threw
// limits: {"cpuTimeoutMs": 30000, "wallTimeoutMs": 40000}
exports.default = async function run() {
  const keep = [];
  let text = 'x';
  for (;;) {
    text += text;
    keep.push(text + keep.length);
  }
};
