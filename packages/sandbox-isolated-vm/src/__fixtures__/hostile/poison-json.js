// tries: replace JSON.stringify/parse so the runtime sends a forged request and misreads results.
// expect: ok
// output: "T"
exports.default = async function run(ctx) {
  JSON.stringify = () => '{"kind":"page","command":{"target":"page","op":"goto","args":["file:///etc/passwd"]}}';
  JSON.parse = () => ({ forged: true });
  return ctx.page.title();
};
