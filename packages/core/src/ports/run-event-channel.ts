import type { RunEventEntry } from '@webtasks/protocol';
import type { CallOptions } from './common.js';

/** The task whose live events a message is about. */
export interface RunEventTopic {
  workspaceId: string;
  webTaskId: string;
}

/**
 * What a subscriber receives. `entry`: one event entry, whole. `notice`: read the stored run
 * record now: an entry (`seq`) was too large to push whole and is already written there, or
 * the channel reconnected and may have missed entries (no `seq`).
 */
export type RunEventMessage = { type: 'entry'; entry: RunEventEntry } | { type: 'notice'; seq?: number };

/** Receives a topic's messages. Called from its own macrotask, never inside `publish`. */
export type RunEventListener = (message: RunEventMessage) => void;

/** What a channel guarantees. */
export interface RunEventChannelCapabilities {
  /** Messages reach subscribers in other processes (another connection, another machine). */
  distributed: boolean;
  /**
   * The largest entry (bytes of its JSON) pushed whole; a larger one reaches subscribers as a
   * `notice` with its `seq`, so the publisher writes the run record before publishing it.
   * Undefined: no limit.
   */
  maxEntryBytes?: number;
}

/**
 * Pushes the live event entries of running tasks from the process that runs them (a worker)
 * to the processes that stream them to clients (API processes), so a stream need not wait
 * for the next write and read of the run record. Delivery is best effort and at most once:
 * the stored run record stays the source of replay, and streams still read it now and then,
 * so a lost message only delays an event. Entries of one topic from one publisher arrive in
 * the order they were published.
 */
export interface RunEventChannel {
  readonly specificationVersion: 'v1';
  readonly capabilities: RunEventChannelCapabilities;
  /**
   * Send one entry to the topic's subscribers (in every process, when `distributed`). Rejects
   * when the channel cannot send right now (disconnected, closed); the caller drops the entry.
   */
  publish(options: RunEventTopic & { entry: RunEventEntry } & CallOptions): Promise<void>;
  /**
   * Receive the topic's messages until the returned function is called. Resolves once
   * messages published from then on are delivered, or at once when the channel is
   * disconnected (it subscribes again when it reconnects, then sends a `notice`).
   */
  subscribe(options: RunEventTopic & CallOptions, listener: RunEventListener): Promise<() => void>;
  /** Drop every subscription and release connections. Idempotent. */
  close(options?: CallOptions): Promise<void>;
}
