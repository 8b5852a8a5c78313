import { describeLanguageModelContract } from '../contracts/language-model.js';
import { createScriptedModelHarness } from './scripted-model-harness.js';

describeLanguageModelContract({
  name: 'scripted in-process model',
  create: () => createScriptedModelHarness(),
  skip: [
    {
      reason: 'an in-process model has no transport to retry: transient errors surface at once',
      tests: [
        'retries transient errors, then succeeds',
        'retries rate limits and server errors',
        'gives up with a retryable model-unavailable when retries run out',
        'stops waiting between retries when the signal aborts',
      ],
    },
  ],
});
