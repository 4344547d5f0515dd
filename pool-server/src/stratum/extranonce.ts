/**
 * extranonce1 allocation. An extranonce1 is 4 bytes: the node id (so that Stratum
 * nodes of one pool never hand out the same work) and a 24-bit counter. Two live
 * sessions never share one; a reconnecting miner may resume its old one when free.
 */
import type { ShareSession } from '../work/validate-share.ts';

const COUNTER_SPACE = 1 << 24;

function prefixOf(nodeId: number): number {
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 255) {
    throw new RangeError(`node id must be 0-255, got ${String(nodeId)}`);
  }
  return nodeId * COUNTER_SPACE;
}

export class ExtranonceAllocator {
  #prefix: number;
  readonly #inUse = new Set<number>();
  #next = 0;

  constructor(nodeId: number) {
    this.#prefix = prefixOf(nodeId);
  }

  get nodeId(): number {
    return this.#prefix / COUNTER_SPACE;
  }

  /**
   * New extranonce1s come from another node id's range from now on (the node's id was
   * taken by another node); those in use stay valid until their sessions move or end.
   */
  moveTo(nodeId: number): void {
    this.#prefix = prefixOf(nodeId);
    this.#next = 0;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /**
   * A free extranonce1 as a number. `preferred` (a resumed session's id) is honoured
   * when it belongs to this node and is not held by a live session.
   */
  allocate(preferred?: number): number {
    if (
      preferred !== undefined &&
      preferred - this.#prefix >= 0 &&
      preferred - this.#prefix < COUNTER_SPACE &&
      !this.#inUse.has(preferred)
    ) {
      this.#inUse.add(preferred);
      return preferred;
    }
    if (this.#inUse.size >= COUNTER_SPACE) {
      throw new RangeError('every extranonce1 of this node is in use');
    }
    for (;;) {
      const candidate = this.#prefix + this.#next;
      this.#next = (this.#next + 1) % COUNTER_SPACE;
      if (!this.#inUse.has(candidate)) {
        this.#inUse.add(candidate);
        return candidate;
      }
    }
  }

  release(extranonce1: number): void {
    this.#inUse.delete(extranonce1);
  }
}

export function extranonceToBytes(extranonce1: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(extranonce1);
  return bytes;
}

/**
 * The places a session keeps its extranonce1, declared here rather than taken from
 * session-context.ts, which imports this module for the allocator.
 */
export interface ExtranonceHolder {
  extranonce1Number: number | undefined;
  extranonce1: Buffer | undefined;
  readonly shareSession: { extranonce1: ShareSession['extranonce1'] };
}

/** Gives a session extranonce1 `number`, in each place the session keeps it; returns its bytes. */
export function assignExtranonce1(state: ExtranonceHolder, number: number): Buffer {
  const extranonce1 = extranonceToBytes(number);
  state.extranonce1Number = number;
  state.extranonce1 = extranonce1;
  state.shareSession.extranonce1 = extranonce1;
  return extranonce1;
}
