// tries: a synchronous infinite loop to hold a CPU forever.
// expect: timeout
exports.default = async function run() {
  for (;;) {}
};
