/**
 * Deep copy of stored data, so callers can never mutate what a memory adapter holds.
 * Values are plain JSON-like data (and Uint8Array for blobs), which `structuredClone` handles.
 */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
