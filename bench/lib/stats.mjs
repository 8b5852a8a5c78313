// Medians, percentiles and the alternating schedule every timed figure uses.

/** The q-quantile (0..1) of `values`, by linear interpolation between ranks. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export const median = (values) => quantile(values, 0.5);

/** Milliseconds `work` takes, with its result. */
export async function timed(work) {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** `promise`, or a rejection saying what took longer than `ms` (no bound when `ms` is undefined). */
export function withTimeout(promise, ms, what) {
  if (ms === undefined) return promise;
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/**
 * Run each variant `rounds` times, interleaved so that every round holds one run of each
 * variant back to back; the order rotates by one every round (E B, B E, … or E S B, S B E, …)
 * so no variant always runs first, right after another one or on a warmer machine.
 * `variants` maps a name to an async function of the round number returning a sample.
 * Resolves with the samples per variant and, per round, the samples of that round.
 */
export async function alternate(variants, rounds, onRound) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const row = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      row[name] = await variants[name](round);
      samples[name].push(row[name]);
    }
    perRound.push(row);
    onRound?.(round, row);
  }
  return { samples, perRound };
}

/**
 * Ratio of two variants: the median over rounds of each round's ratio. Pairing the runs of
 * one round cancels most of the drift of a machine whose load changes minute to minute.
 */
export function pairedRatio(perRound, numerator, denominator, pick = (x) => x) {
  return median(perRound.map((row) => pick(row[numerator]) / pick(row[denominator])));
}
