import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * A Stratum node's id is the high byte of every extranonce1 it hands out, so two nodes
 * with one id would hand out the same work. Each node claims its id in a JetStream
 * key-value bucket, keeps the claim alive while it runs, and gives it up when it stops;
 * a node whose id is held by another instance refuses to serve. An instance is a data
 * directory (its id is kept there), so a node killed and restarted takes its own claim
 * back at once, while a second node configured with the same id is refused.
 */

export interface NodeClaimSettings {
  /** The bucket of claims, shared by every node of the pool. */
  readonly bucket: string;
  readonly nodeId: number;
  /** This node's instance: kept in its data directory. */
  readonly instance: string;
  /** A claim not renewed for this long lapses (a node that died without a goodbye). */
  readonly ttlMs: number;
}

interface Holder {
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
}

/** A node id is the high byte of an extranonce1. */
const NODE_IDS = 256;

export class NodeIdTaken extends Error {
  constructor(nodeId: number, holder: Holder) {
    super(
      `stratum.nodeId ${String(nodeId)} is held by another Stratum node (host ${holder.host}, pid ${String(holder.pid)}, since ${holder.since}): give each node its own id`,
    );
    this.name = 'NodeIdTaken';
  }
}

export interface NodeClaim {
  readonly nodeId: number;
  /** Gives the id up, for another node to take. */
  release(): Promise<void>;
}

/** This node's instance id, kept in its data directory (made on the first start). */
export function nodeInstance(dataDir: string): string {
  const file = path.join(dataDir, 'stratum-instance');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const instance = randomUUID();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${instance}\n`, { mode: 0o600 });
    return instance;
  }
}

function holderOf(value: Uint8Array): Holder | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(value).toString('utf8')) as Partial<Holder>;
    return typeof parsed.instance === 'string' ? (parsed as Holder) : undefined;
  } catch {
    return undefined;
  }
}

const keyOf = (nodeId: number): string => `node-${String(nodeId)}`;

function claimRecord(instance: string): string {
  return JSON.stringify({
    instance,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  } satisfies Holder);
}

const bucketOf = (nc: NatsConnection, settings: Pick<NodeClaimSettings, 'bucket' | 'ttlMs'>): Promise<KV> =>
  new Kvm(nc).create(settings.bucket, { history: 1, ttl: settings.ttlMs });

/**
 * Claims the node id, or throws NodeIdTaken. While held, the claim is renewed every
 * third of its lifetime; `lost` is called if another instance takes it meanwhile (after
 * this node could not renew it for a whole lifetime).
 */
export async function claimNodeId(
  nc: NatsConnection,
  settings: NodeClaimSettings,
  lost: (error: Error) => void,
): Promise<NodeClaim> {
  const kv = await bucketOf(nc, settings);
  const key = keyOf(settings.nodeId);
  const mine = claimRecord(settings.instance);
  let revision: number;
  try {
    revision = await kv.create(key, mine);
  } catch {
    // Held already: by this instance before a restart, or by another node.
    const entry = await kv.get(key);
    const holder = entry?.operation === 'PUT' ? holderOf(entry.value) : undefined;
    if (holder && holder.instance !== settings.instance) {
      throw new NodeIdTaken(settings.nodeId, holder);
    }
    revision = await kv.put(key, mine);
  }
  return keep(kv, settings, mine, revision, lost);
}

/**
 * Claims the first node id after `settings.nodeId` (wrapping round) that no node holds:
 * where a node goes when its own id was taken. Throws when every id is held.
 */
export async function claimFreeNodeId(
  nc: NatsConnection,
  settings: NodeClaimSettings,
  lost: (error: Error) => void,
): Promise<NodeClaim> {
  const kv = await bucketOf(nc, settings);
  const mine = claimRecord(settings.instance);
  for (let step = 1; step <= NODE_IDS; step++) {
    const nodeId = (settings.nodeId + step) % NODE_IDS;
    const revision = await kv.create(keyOf(nodeId), mine).catch(() => undefined);
    if (revision !== undefined) {
      return keep(kv, { ...settings, nodeId }, mine, revision, lost);
    }
  }
  throw new Error(`every one of the ${String(NODE_IDS)} node ids is held by a Stratum node`);
}

/** Renews a claim made until it is released, or lost to another instance. */
function keep(
  kv: KV,
  settings: NodeClaimSettings,
  mine: string,
  made: number,
  lost: (error: Error) => void,
): NodeClaim {
  const key = keyOf(settings.nodeId);
  let revision = made;
  let released = false;
  const renew = setInterval(() => {
    kv.update(key, mine, revision).then(
      (next) => {
        revision = next;
      },
      async () => {
        // NATS away (try again next time), the claim lapsed while it was (take it again), or taken.
        const entry = await kv.get(key).catch(() => undefined);
        if (entry === undefined || released) {
          return;
        }
        const holder = entry?.operation === 'PUT' ? holderOf(entry.value) : undefined;
        if (holder && holder.instance !== settings.instance) {
          clearInterval(renew);
          lost(new NodeIdTaken(settings.nodeId, holder));
          return;
        }
        revision = await kv.put(key, mine).catch(() => revision);
      },
    );
  }, settings.ttlMs / 3);
  renew.unref();
  return {
    nodeId: settings.nodeId,
    async release() {
      released = true;
      clearInterval(renew);
      await kv.delete(key, { previousSeq: revision }).catch(() => undefined);
    },
  };
}
