// tries: this.constructor.constructor('return process')() — the classic vm escape.
// expect: ok
// output: "contained"
exports.default = async function run() {
  const self = (function () {
    return this;
  })();
  const found = [];
  for (const start of [self, this, {}, [], () => 1]) {
    try {
      const value = start.constructor.constructor('return typeof process === "undefined" ? null : process')();
      if (value) found.push(value);
    } catch {}
  }
  return found.length === 0 ? 'contained' : 'ESCAPED';
};
