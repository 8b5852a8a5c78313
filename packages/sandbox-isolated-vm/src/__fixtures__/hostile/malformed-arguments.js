// tries: feed the runtime malformed arguments (objects with toString side effects, non-functions
// to evaluate, fractional nth, fake locators) hoping a forged HostCall reaches the host.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const sneaky = { toString: () => 'file:///etc/passwd' };
  const attempts = [
    () => ctx.page.goto(sneaky),
    () => ctx.page.evaluate(123),
    () => ctx.page.locator('a').nth(1.5),
    () => ctx.page.locator({ selector: 'a' }),
    () => ctx.files.downloadFromClick({ locator: [{ kind: 'evil' }] }),
    () => ctx.ai.classify({ input: 'x', labels: 'not-an-array' }),
    () => ctx.ai.extract({ input: 'x', schema: { self: undefined, fn: () => 1 }, instructions: 42 }),
    () => ctx.page.getByRole('button').filter({ has: { steps: [] } }),
  ];
  let rejected = 0;
  for (const attempt of attempts) {
    try {
      await attempt();
    } catch {
      rejected += 1;
    }
  }
  return rejected === attempts.length ? 'contained' : `ESCAPED ${attempts.length - rejected}`;
};
