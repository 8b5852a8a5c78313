/** Bytes a session may move through its egress proxy, counted while they stream. */
export interface TransferBudget {
  /** The limit in bytes. */
  readonly limitBytes: number;
  /** Bytes counted so far (both directions). */
  readonly usedBytes: number;
  /** True once the limit was passed: every connection is cut and new ones are refused. */
  readonly spent: boolean;
  /** Count `bytes`; returns false when this passes the limit. */
  add(bytes: number): boolean;
}

/** A budget of `limitBytes`; `onSpent` runs once, when it is passed. */
export function createTransferBudget(limitBytes: number, onSpent: () => void): TransferBudget {
  let usedBytes = 0;
  let spent = false;
  return {
    limitBytes,
    get usedBytes() {
      return usedBytes;
    },
    get spent() {
      return spent;
    },
    add(bytes) {
      usedBytes += bytes;
      if (!spent && usedBytes > limitBytes) {
        spent = true;
        onSpent();
      }
      return !spent;
    },
  };
}

/** `bytes` as MiB for messages. */
export function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
}
