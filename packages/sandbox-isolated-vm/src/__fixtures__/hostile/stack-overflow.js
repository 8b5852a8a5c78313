// tries: unbounded recursion to overflow the stack.
// expect: threw
exports.default = async function run() {
  const dive = (n) => dive(n + 1) + 1;
  return dive(0);
};
