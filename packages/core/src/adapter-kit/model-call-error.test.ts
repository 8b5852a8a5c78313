import { describe, expect, it } from 'vitest';
import { WebTasksError } from '../errors.js';
import { RetriesExhausted } from '../retry.js';
import { type ModelCallErrorOptions, toModelCallError } from './model-call-error.js';

class FakeApiError extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}

const options: ModelCallErrorOptions = {
  adapter: 'llm-fake',
  service: 'FakeAI',
  requested: 'sonnet',
  modelId: 'fake-sonnet-1',
  isUserAbort: (error) => (error as Error).name === 'UserAbort',
  readHttpFailure: (error) =>
    error instanceof FakeApiError
      ? { status: error.status, said: `${error.status}: nope`, details: { status: error.status } }
      : undefined,
  keyAdvice: 'Check FAKE_API_KEY.',
  modelsAdvice: 'the `models` option maps names to ids.',
  unavailableAdvice: 'Try again later.',
};

describe('toModelCallError', () => {
  it.each([
    [401, 'model-auth', '[webtasks:llm-fake] FakeAI rejected the API key (401: nope). Check FAKE_API_KEY.'],
    [403, 'model-auth', '[webtasks:llm-fake] FakeAI rejected the API key (403: nope). Check FAKE_API_KEY.'],
    [
      404,
      'model-not-found',
      '[webtasks:llm-fake] FakeAI does not serve model "fake-sonnet-1" (404: nope). Fix `models.sonnet`: the `models` option maps names to ids.',
    ],
    [
      400,
      'model-error',
      '[webtasks:llm-fake] FakeAI rejected the request for model "fake-sonnet-1" (400: nope).',
    ],
  ])('maps HTTP %i to %s with a message that says what to fix', (status, code, message) => {
    const error = toModelCallError(new FakeApiError(status), options);
    expect(error).toMatchObject({ code, message, details: { status } });
  });

  it('tells a 403 for the model apart when the adapter says so', () => {
    const error = toModelCallError(new FakeApiError(403), {
      ...options,
      forbiddenModelAdvice: 'Use another key.',
    });
    expect(error.message).toBe(
      '[webtasks:llm-fake] The API key may not use model "fake-sonnet-1" (403: nope). Use another key.',
    );
  });

  it('turns spent retries into a retryable model-unavailable that quotes the last answer', () => {
    const error = toModelCallError(
      new RetriesExhausted(new FakeApiError(529), 3, 60_000, 'retry-after'),
      options,
    );
    expect(error).toMatchObject({
      code: 'model-unavailable',
      retryable: true,
      details: { attempts: 3, status: 529 },
    });
    expect(error.message).toContain('after 3 attempt(s) (529: nope); it asked to retry after 60 s');
  });

  it('keeps WebTasksErrors, maps aborts and non-HTTP failures', () => {
    const original = new WebTasksError({ code: 'timeout', message: 't' });
    expect(toModelCallError(original, options)).toBe(original);
    const abort = Object.assign(new Error('x'), { name: 'UserAbort' });
    expect(toModelCallError(abort, options).code).toBe('aborted');
    expect(toModelCallError(new TypeError('fetch failed'), options)).toMatchObject({
      code: 'model-error',
      message: '[webtasks:llm-fake] The call to FakeAI failed: fetch failed',
    });
  });
});
