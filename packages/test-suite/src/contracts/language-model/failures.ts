import { type ErrorCode, WebTasksError } from '@webtasks/core';
import { expect } from 'vitest';
import { fakeReply } from '../../fake-apis/script.js';
import type { HarnessTest } from './harness.js';
import { basicCall } from './replies.js';

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<WebTasksError> {
  const error = await promise.then(
    () => expect.fail(`expected a WebTasksError "${code}", but the call resolved`),
    (caught: unknown) => caught,
  );
  if (!WebTasksError.isInstance(error))
    expect.fail(`expected a WebTasksError "${code}", got ${String(error)}`);
  expect(error.code, error.message).toBe(code);
  if (code !== 'aborted') expect(error.message).toMatch(/^\[webtasks:/);
  return error;
}

/** Contract tests about retries, provider errors and aborts. */
export function registerFailureTests(test: HarnessTest): void {
  test('retries transient errors, then succeeds', async ({ model, script, requestCount }) => {
    script([fakeReply.error('overloaded', { times: 2 }), fakeReply.text('finally')]);
    const result = await model.generate(basicCall());
    expect(result.content).toEqual([{ type: 'text', text: 'finally' }]);
    expect(requestCount()).toBe(3);
  });

  test('retries rate limits and server errors', async ({ model, script, requestCount }) => {
    script([
      fakeReply.error('rate-limit', { retryAfterSeconds: 0 }),
      fakeReply.error('server'),
      fakeReply.text('ok'),
    ]);
    await model.generate(basicCall());
    expect(requestCount()).toBe(3);
  });

  test('gives up with a retryable model-unavailable when retries run out', async ({
    model,
    script,
    requestCount,
  }) => {
    script(fakeReply.error('overloaded', { times: 50 }));
    const error = await expectCode(model.generate(basicCall()), 'model-unavailable');
    expect(error.retryable).toBe(true);
    expect(requestCount()).toBeGreaterThan(1);
    expect(requestCount()).toBeLessThan(50);
  });

  test('maps a rejected key to model-auth without retrying', async ({ model, script, requestCount }) => {
    script(fakeReply.error('auth'));
    const error = await expectCode(model.generate(basicCall()), 'model-auth');
    expect(error.retryable).toBe(false);
    expect(requestCount()).toBe(1);
  });

  test('maps an unknown model to model-not-found naming the model', async ({ model }) => {
    const error = await expectCode(
      model.generate(basicCall({ model: 'no-such-model-9-9' })),
      'model-not-found',
    );
    expect(error.message).toContain('no-such-model-9-9');
  });

  test("maps a rejected request to model-error with the provider's message", async ({
    model,
    script,
    requestCount,
  }) => {
    script(fakeReply.error('invalid-request', { message: 'messages.0.content: something is wrong here' }));
    const error = await expectCode(model.generate(basicCall()), 'model-error');
    expect(error.message).toContain('something is wrong here');
    expect(requestCount()).toBe(1);
  });

  test('stops a call in flight when the signal aborts', async ({ model, script }) => {
    script(fakeReply.text('too late', { delayMs: 5_000 }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expectCode(model.generate(basicCall({ signal: controller.signal })), 'aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('stops waiting between retries when the signal aborts', async ({ model, script }) => {
    script(fakeReply.error('overloaded', { times: 50, retryAfterSeconds: 30 }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await model
      .generate(basicCall({ signal: controller.signal }))
      .catch((caught: unknown) => caught);
    expect(WebTasksError.isInstance(error) && ['aborted', 'model-unavailable'].includes(error.code)).toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('makes no request when the signal has already aborted', async ({ model, script, requestCount }) => {
    script(fakeReply.text('never'));
    await expectCode(model.generate(basicCall({ signal: AbortSignal.abort() })), 'aborted');
    expect(requestCount()).toBe(0);
  });
}
