/**
 * A Job Declarator Client for tests, written from the specification (sv2-spec 6.4 for the
 * Job Declaration protocol, 5.3.18 for SetCustomMiningJob) apart from the pool's server: it
 * builds its own coinbase around a template from the devchain (bitcoinjs-lib serializes
 * it), computes the witness commitment and merkle path itself, and splits the coinbase the
 * two ways the protocols carry it. The wire is helpers/sv2-client.ts's.
 */
import { createHash } from 'node:crypto';
import { Transaction } from 'bitcoinjs-lib';
import type { MessageOf } from '../../src/stratum/v2/message-table.ts';
import type { Sv2Client } from './sv2-client.ts';

/** [sv2 3.6.1] SetupConnection.protocol of the Job Declaration protocol, and its DECLARE_TX_DATA flag. */
export const JOB_DECLARATION_PROTOCOL = 1;
export const DECLARE_TX_DATA = 1;
/** [sv2 5.3.1] SetupConnection.flags REQUIRES_WORK_SELECTION. */
export const REQUIRES_WORK_SELECTION = 1 << 1;

function sha256d(bytes: Buffer): Buffer {
  return createHash('sha256').update(createHash('sha256').update(bytes).digest()).digest();
}

function merkleLevelUp(level: readonly Buffer[]): Buffer[] {
  const up: Buffer[] = [];
  for (let index = 0; index < level.length; index += 2) {
    const left = level[index] as Buffer;
    up.push(sha256d(Buffer.concat([left, level[index + 1] ?? left])));
  }
  return up;
}

function merkleRoot(leaves: readonly Buffer[]): Buffer {
  let level = leaves;
  while (level.length > 1) {
    level = merkleLevelUp(level);
  }
  return level[0] as Buffer;
}

/** The siblings on the path of leaf 0 of [coinbase, ...txids], deepest first. */
export function coinbaseMerklePath(txids: readonly Buffer[]): Buffer[] {
  const path: Buffer[] = [];
  let level: Buffer[] = [Buffer.alloc(32), ...txids];
  while (level.length > 1) {
    path.push(level[1] ?? (level[0] as Buffer));
    level = merkleLevelUp(level);
  }
  return path;
}

/** [BIP34] the height as the scriptSig's first push: CScript() << height (OP_1 to OP_16 up to 16). */
function heightPush(height: number): Buffer {
  if (height <= 16) {
    return Buffer.from([height === 0 ? 0 : 0x50 + height]);
  }
  const bytes: number[] = [];
  for (let rest = height; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.push(rest % 256);
  }
  if (((bytes.at(-1) ?? 0) & 0x80) !== 0) {
    bytes.push(0);
  }
  return Buffer.from([bytes.length, ...bytes]);
}

/** What the client takes of a getblocktemplate result (the devchain's blockTemplate()). */
export interface ClientTemplate {
  readonly version: number;
  readonly previousblockhash: string;
  readonly height: number;
  readonly bits: string;
  readonly curtime: number;
  readonly coinbasevalue: number;
  readonly transactions: readonly { readonly data: string; readonly fee: number }[];
}

export interface Declaration {
  readonly template: ClientTemplate;
  /** Raw transactions in block order. */
  readonly transactions: readonly Buffer[];
  readonly scriptSigPrefix: Buffer;
  readonly outputs: readonly { readonly script: Buffer; readonly value: bigint }[];
  readonly extranonceSize: number;
  readonly sequence: number;
  readonly locktime: number;
}

/** The pool's payout script from AllocateMiningJobToken.Success's outputs: the first one's. */
export function poolScriptOf(success: MessageOf<'AllocateMiningJobToken.Success'>): Buffer {
  const outputs = success.coinbase_tx_outputs;
  // One CompactSize count byte, 8 bytes of value, a one-byte script length, the script.
  const length = outputs[9] ?? 0;
  return outputs.subarray(10, 10 + length);
}

/**
 * A declaration of `template` whose coinbase pays `payTo` the whole reward, plus `extra`
 * transactions the pool's node never saw, with a witness commitment over them all.
 */
export function declaration(
  template: ClientTemplate,
  payTo: Buffer,
  extranonceSize: number,
  extra: readonly Buffer[] = [],
): Declaration {
  const transactions = [...template.transactions.map((tx) => Buffer.from(tx.data, 'hex')), ...extra];
  const wtxids = transactions.map((raw) => Buffer.from(Transaction.fromBuffer(raw).getHash(true)));
  const commitment = sha256d(Buffer.concat([merkleRoot([Buffer.alloc(32), ...wtxids]), Buffer.alloc(32)]));
  return {
    template,
    transactions,
    scriptSigPrefix: heightPush(template.height),
    outputs: [
      { script: payTo, value: BigInt(template.coinbasevalue) },
      { script: Buffer.concat([Buffer.from('6a24aa21a9ed', 'hex'), commitment]), value: 0n },
    ],
    extranonceSize,
    sequence: 0xffffffff,
    locktime: 0,
  };
}

/** The coinbase with `extranonce` in its scriptSig; `witness` adds BIP141's fields. */
function coinbaseBytes(declared: Declaration, extranonce: Buffer, witness: boolean): Buffer {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(
    Buffer.alloc(32),
    0xffffffff,
    declared.sequence,
    Buffer.concat([declared.scriptSigPrefix, extranonce]),
  );
  for (const output of declared.outputs) {
    tx.addOutput(output.script, output.value);
  }
  tx.locktime = declared.locktime;
  if (witness) {
    tx.setWitness(0, [Buffer.alloc(32)]);
  }
  return Buffer.from(tx.toBuffer());
}

/** The coinbase split around the extranonce (the bytes after the scriptSig prefix). */
function split(declared: Declaration, witness: boolean): { prefix: Buffer; suffix: Buffer } {
  const marker = Buffer.alloc(declared.extranonceSize, 0xee);
  const whole = coinbaseBytes(declared, marker, witness);
  const at =
    whole.indexOf(Buffer.concat([declared.scriptSigPrefix, marker])) + declared.scriptSigPrefix.length;
  return { prefix: whole.subarray(0, at), suffix: whole.subarray(at + declared.extranonceSize) };
}

export function declareMiningJob(
  declared: Declaration,
  token: Buffer,
  requestId: number,
): MessageOf<'DeclareMiningJob'> {
  const { prefix, suffix } = split(declared, true);
  return {
    type: 'DeclareMiningJob',
    request_id: requestId,
    mining_job_token: token,
    version: declared.template.version,
    coinbase_tx_prefix: prefix,
    coinbase_tx_suffix: suffix,
    wtxid_list: declared.transactions.map((raw) => Buffer.from(Transaction.fromBuffer(raw).getHash(true))),
    excess_data: Buffer.alloc(0),
  };
}

function outputsBytes(declared: Declaration): Buffer {
  const tx = new Transaction();
  for (const output of declared.outputs) {
    tx.addOutput(output.script, output.value);
  }
  const serialized = Buffer.from(tx.toBuffer());
  // version (4), no inputs (1), then the outputs with their count, then the locktime (4).
  return serialized.subarray(5, serialized.length - 4);
}

export function setCustomMiningJob(
  declared: Declaration,
  channelId: number,
  token: Buffer,
  requestId: number,
): MessageOf<'SetCustomMiningJob'> {
  const { template } = declared;
  return {
    type: 'SetCustomMiningJob',
    channel_id: channelId,
    request_id: requestId,
    mining_job_token: token,
    version: template.version,
    prev_hash: Buffer.from(template.previousblockhash, 'hex').reverse(),
    min_ntime: template.curtime,
    nbits: Number.parseInt(template.bits, 16),
    coinbase_tx_version: 2,
    coinbase_prefix: declared.scriptSigPrefix,
    coinbase_tx_input_nSequence: declared.sequence,
    coinbase_tx_outputs: outputsBytes(declared),
    coinbase_tx_locktime: declared.locktime,
    merkle_path: coinbaseMerklePath(
      declared.transactions.map((raw) => Buffer.from(Transaction.fromBuffer(raw).getHash())),
    ),
  };
}

/** [sv2 5.3.16] The merkle root of the custom job with the channel's prefix and the miner's extranonce. */
export function customMerkleRoot(
  declared: Declaration,
  extranoncePrefix: Buffer,
  extranonce: Buffer,
): Buffer {
  let root = sha256d(coinbaseBytes(declared, Buffer.concat([extranoncePrefix, extranonce]), false));
  for (const step of coinbaseMerklePath(
    declared.transactions.map((raw) => Buffer.from(Transaction.fromBuffer(raw).getHash())),
  )) {
    root = sha256d(Buffer.concat([root, step]));
  }
  return root;
}

/**
 * The whole block of a declared template, as the Job Declarator Client broadcasts it itself
 * ([sv2 6.3.1] under Coinbase-only mode only it can): `header` (80 bytes), then the coinbase
 * with its witness and `extranonce` (the channel's prefix and the miner's bytes), then the
 * transactions.
 */
export function declaredBlock(declared: Declaration, extranonce: Buffer, header: Buffer): Buffer {
  const count = declared.transactions.length + 1;
  if (count >= 0xfd) {
    throw new RangeError('a test block of more than 252 transactions needs a longer CompactSize');
  }
  return Buffer.concat([
    header,
    Buffer.from([count]),
    coinbaseBytes(declared, extranonce, true),
    ...declared.transactions,
  ]);
}

/** SetupConnection for the Job Declaration protocol, in Full-Template mode. */
export async function setupJobDeclaration(client: Sv2Client): Promise<unknown> {
  return client.setup(DECLARE_TX_DATA, { protocol: JOB_DECLARATION_PROTOCOL });
}
