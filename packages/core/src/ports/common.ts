/** Every port method takes one options object; all of them accept an abort signal. */
export interface CallOptions {
  /** Abort the call. Adapters stop waiting and reject with an `aborted` WebTasksError. */
  signal?: AbortSignal;
}

/** Any JSON value: what crosses the sandbox bridge, the wire and the stores. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };
/** A JSON Schema (draft 2020-12) document. */
export type JsonSchema = JsonObject | boolean;
