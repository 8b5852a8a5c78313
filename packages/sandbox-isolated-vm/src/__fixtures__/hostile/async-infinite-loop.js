// tries: an asynchronous infinite loop (while (true) await null) that never returns to the host.
// expect: timeout
exports.default = async function run() {
  let turns = 0;
  while (true) {
    await null;
    turns += 1;
  }
};
