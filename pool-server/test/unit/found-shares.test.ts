/**
 * The Stratum benchmark's outside view of found blocks (bench/found-shares.ts): a block
 * the node connected is matched to the load share that made it by its miner's
 * extranonce2 in the coinbase and its nonce, and timed from that share's send.
 */
import { describe, expect, it } from 'vitest';
import { connectedBlock, sendToConnect } from '../../bench/found-shares.ts';

/** A block's first bytes: an 80-byte header with `nonce`, a transaction count, a coinbase holding `extranonce2`. */
function rawBlock(nonce: number, extranonce2: string): Buffer {
  const header = Buffer.alloc(80);
  header.writeUInt32LE(nonce, 76);
  const coinbase = Buffer.concat([
    Buffer.from('01020000000100', 'hex'),
    Buffer.alloc(32),
    Buffer.from('ffffffff1003aa0000deadbeef', 'hex'),
    Buffer.from(extranonce2, 'hex'),
  ]);
  return Buffer.concat([header, coinbase]);
}

describe('sendToConnect', () => {
  const sends = [
    { extranonce2: '1111111111111111', sentAt: [1_000, 1_001, 1_002] },
    { extranonce2: '2222222222222222', sentAt: [2_000, 2_004] },
  ];

  it("times each block from its share's send: the miner by extranonce2, the share by nonce", () => {
    const blocks = [
      connectedBlock(2_010, rawBlock(2, '2222222222222222')),
      connectedBlock(1_005, rawBlock(3, '1111111111111111')),
    ];
    expect(sendToConnect(blocks, sends)).toEqual({ ms: [6, 3], unmatched: 0 });
  });

  it('counts a block no recorded share made as unmatched, not as a time', () => {
    const blocks = [
      connectedBlock(3_000, rawBlock(1, '3333333333333333')),
      connectedBlock(3_000, rawBlock(9, '1111111111111111')),
    ];
    expect(sendToConnect(blocks, sends)).toEqual({ ms: [], unmatched: 2 });
  });
});
