// tries: return an output far over maxOutputBytes.
// expect: output-too-large
// limits: {"maxOutputBytes": 1000000}
exports.default = async function run() {
  return { rows: Array.from({ length: 50000 }, (_, i) => `row number ${i} with padding padding padding`) };
};
