import { describeRunEventChannelContract } from '@webtasks/test-suite';
import { createMemoryRunEventBus, createMemoryRunEventChannel } from './memory-run-event-channel.js';

// Instances share one bus, as connections share one server.
const bus = createMemoryRunEventBus();

describeRunEventChannelContract({
  name: 'memory',
  create: () => createMemoryRunEventChannel({ bus }),
  skip: [
    {
      reason: 'no connection to drop in one process',
      tests: ['keeps delivering after its connection is dropped'],
    },
  ],
});
