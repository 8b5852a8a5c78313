// tries: compile WebAssembly (memory outside the heap limit, a second engine to attack).
// expect: ok
// output: "contained"
exports.default = async function run() {
  if (typeof WebAssembly === 'undefined') return 'contained';
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  await WebAssembly.instantiate(bytes);
  return 'ESCAPED';
};
