// tries: read the parent's secrets from process.env.
// expect: threw
exports.default = async function run() {
  return process.env;
};
