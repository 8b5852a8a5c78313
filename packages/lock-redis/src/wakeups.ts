import type { Logger } from '@webtasks/core';
import type { Redis } from 'ioredis';

/**
 * One subscriber connection shared by every waiter of a lock manager: a waiter listens on
 * its name's channel and is woken when the lock is released, a slot is freed or a waiter
 * ahead of it leaves. Messages are only hints; waiters poll as well, so a lost message
 * costs at most one poll interval.
 */
export class Wakeups {
  readonly #listeners = new Map<string, Set<() => void>>();
  /** Pending or done SUBSCRIBE per channel, so every listener waits until it is active. */
  readonly #subscriptions = new Map<string, Promise<void>>();
  #subscriber: Redis | undefined;
  readonly #connect: () => Redis;
  readonly #logger: Logger;

  constructor(connect: () => Redis, logger: Logger) {
    this.#connect = connect;
    this.#logger = logger;
  }

  /** Call `listener` on each message of `channel` until the returned function is called. */
  async listen(channel: string, listener: () => void): Promise<() => void> {
    let listeners = this.#listeners.get(channel);
    const first = listeners === undefined;
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
    }
    listeners.add(listener);
    if (first) {
      this.#subscriptions.set(
        channel,
        this.#connection()
          .subscribe(channel)
          .then(
            () => undefined,
            (error: unknown) => {
              // Polling still works; the waiter just wakes up later.
              this.#logger.warn('lock wakeup subscription failed; falling back to polling', {
                error: String(error),
              });
            },
          ),
      );
    }
    await this.#subscriptions.get(channel);
    return () => {
      const current = this.#listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.#listeners.delete(channel);
      this.#subscriptions.delete(channel);
      this.#subscriber?.unsubscribe(channel).catch(() => undefined);
    };
  }

  /** Close the subscriber connection. */
  async close(): Promise<void> {
    this.#listeners.clear();
    this.#subscriptions.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  #connection(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = this.#connect();
    subscriber.on('message', (channel: string) => {
      for (const listener of this.#listeners.get(channel) ?? []) listener();
    });
    subscriber.on('error', (error: unknown) => {
      this.#logger.warn('lock wakeup connection error', { error: String(error) });
    });
    this.#subscriber = subscriber;
    return subscriber;
  }
}
