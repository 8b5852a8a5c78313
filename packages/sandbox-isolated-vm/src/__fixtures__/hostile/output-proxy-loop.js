// tries: an output proxy whose ownKeys trap never returns, to hang serialisation.
// expect: timeout
exports.default = async function run() {
  return new Proxy({}, { ownKeys() { for (;;) {} } });
};
