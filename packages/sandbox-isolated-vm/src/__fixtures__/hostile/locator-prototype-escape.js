// tries: forge a Locator from its prototype, rewrite the prototype's methods, and reach the
// steps of another locator.
// expect: ok
// output: "contained"
'use strict';
exports.default = async function run(ctx) {
  const locator = ctx.page.locator('#a');
  const proto = Object.getPrototypeOf(locator);
  const attempts = [
    () => new proto.constructor(undefined, [{ kind: 'evil' }]),
    () => Object.create(proto).click(),
    () => {
      proto.click = () => 'hijacked';
    },
    () => {
      locator.steps = [{ kind: 'evil' }];
    },
    () => Reflect.apply(proto.click, { steps: [] }, []),
  ];
  let blocked = 0;
  for (const attempt of attempts) {
    try {
      await attempt();
    } catch {
      blocked += 1;
    }
  }
  return blocked === attempts.length && Object.keys(locator).length === 0 ? 'contained' : `ESCAPED (${blocked})`;
};
