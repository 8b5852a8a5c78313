import { throwIfAborted } from '@webtasks/core';
import { invalidRequest } from './errors.js';

/**
 * The slots of a session's URL downloads: at most `max` run at once, the others wait their
 * turn in order. A waiter whose signal fired while queued is refused when its turn comes (no
 * listener per waiter: a batch of hundreds shares the run's one signal).
 */
export class FetchSlots {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly isClosed: () => boolean,
  ) {}

  /** Wait for a slot; refused when the signal fired or the session closed meanwhile. */
  async take(signal: AbortSignal | undefined): Promise<void> {
    throwIfAborted(signal, 'download');
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    if (signal?.aborted || this.isClosed()) {
      this.release();
      throwIfAborted(signal, 'download');
      throw invalidRequest('download: the session is closed; open a new one');
    }
  }

  /** Hand a slot to the next waiter. */
  release(): void {
    this.running--;
    this.queue.shift()?.();
  }
}
