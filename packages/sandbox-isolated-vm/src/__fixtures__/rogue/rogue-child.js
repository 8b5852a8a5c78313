// A child that no longer runs the isolate host: what the parent must survive if an isolate were
// escaped. The init message's prelude names what it does (`flood` or `garbage`).
import { Socket } from 'node:net';

const channel = new Socket({ fd: 3, readable: true, writable: true });
channel.setEncoding('utf8');
channel.on('close', () => process.exit(0));
let text = '';
channel.on('data', (chunk) => {
  text += chunk;
  if (!text.includes('\n')) return;
  const init = JSON.parse(text.slice(1, text.indexOf('\n')));
  text = '';
  if (init.prelude === 'garbage') {
    for (const frame of ['', 'zzz', 'c-1 2 {}', 'c1', 'j{not json', 'j{"type":"call","runId":"x"}', 'j[1,2]'])
      channel.write(`${frame}\n`);
    channel.write('j{"type":"ready"}\n');
  } else if (init.prelude === 'flood') {
    channel.write('j{"type":"ready"}\n');
    // One frame that never ends: 64 KiB at a time, for as long as the parent reads.
    const block = 'x'.repeat(64 * 1024);
    const pump = () => {
      while (channel.write(block)) {}
      channel.once('drain', pump);
    };
    setTimeout(pump, 50);
  }
});
