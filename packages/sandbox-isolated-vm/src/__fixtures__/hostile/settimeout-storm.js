// tries: schedule timers as fast as possible (each one is a host call).
// expect: too-many-calls|timeout
exports.default = async function run() {
  for (;;) setTimeout(() => {}, 1);
};
