/** A delivery's place in line, taken the moment it arrives (see `createAdmission`). */
export interface AdmissionTicket {
  /** Run `step` once the steps of every earlier ticket have run (or were given up). */
  run<T>(step: () => Promise<T>): Promise<T>;
  /** Give the place up without running a step (idempotent; `run` gives it up itself). */
  release(): void;
}

/** Hands out places in line, in the order it is called. */
export type Admission = () => AdmissionTicket;

/**
 * The start of each delivery (its record read and its request for the reuse key) runs in the
 * order deliveries arrived, so tasks on one key queue for it first in, first out: without it,
 * a slow store read (of the record, or of the run record before it) can let a later task ask
 * for the key first. Take the ticket synchronously when the delivery arrives.
 */
export function createAdmission(): Admission {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = tail;
    tail = turn.then(() => released);
    return {
      async run(step) {
        await turn;
        try {
          return await step();
        } finally {
          release();
        }
      },
      release: () => release(),
    };
  };
}
