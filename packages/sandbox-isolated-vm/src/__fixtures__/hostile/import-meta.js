// tries: import.meta to find the module's URL (a syntax error in a script).
// expect: invalid-code
exports.default = async function run() {
  return import.meta.url;
};
