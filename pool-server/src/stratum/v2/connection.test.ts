/**
 * Sv2Connection on a real socket with a host whose journal fails: an accepted share's
 * acknowledgement becomes SubmitShares.Error `share-not-recorded`, as V1's reply becomes
 * error 20, and no SubmitShares.Success claims it.
 */
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TESTNET_ADDRESS, testEnvironment } from '../../../test/helpers/stratum-env.ts';
import {
  ANY_TARGET,
  REQUIRES_STANDARD_JOBS,
  searchNonce,
  Sv2Client,
  u256,
} from '../../../test/helpers/sv2-client.ts';
import type { ConnectionHost, MinerConnection } from '../connection.ts';
import { Sv2Connection } from './connection.ts';
import { certify } from './noise-keys.ts';
import { generateSecretKey } from './noise/ellswift.ts';
import { noiseServerIdentity } from './noise/responder.ts';

describe('Sv2Connection', () => {
  const closing: (() => void)[] = [];
  afterEach(() => {
    for (const close of closing.splice(0)) {
      close();
    }
  });

  it('refuses the shares of a turn whose commit failed', async () => {
    const { env } = testEnvironment();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const staticKey = generateSecretKey(randomBytes);
    const issued = certify(generateSecretKey(randomBytes), staticKey, nowSeconds, 30, randomBytes);
    const identity = noiseServerIdentity(staticKey, issued.certificate, randomBytes);
    const host: ConnectionHost = {
      env,
      settings: {
        maxLineBytes: 16_384,
        idleTimeoutMs: 60_000,
        lineTimeoutMs: 60_000,
        drainTimeoutMs: 5_000,
        maxQueuedBytes: 1 << 20,
      },
      penalize() {
        return;
      },
      repliesHeld(connection: MinerConnection) {
        // The journal cannot be written: every commit fails.
        setImmediate(() => {
          connection.sendReplies(false);
        });
      },
      commitAndReply() {
        return;
      },
      closed() {
        return;
      },
      now: () => Date.now(),
    };
    const server = net.createServer((socket) => {
      new Sv2Connection(socket, '127.0.0.1', host, env, identity);
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    closing.push(() => {
      server.close();
    });
    const client = await Sv2Client.connect((server.address() as AddressInfo).port, issued.authorityPublicKey);
    closing.push(() => {
      client.close();
    });
    await client.setup(REQUIRES_STANDARD_JOBS);
    client.send({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${TESTNET_ADDRESS}.rig1`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    const opened = await client.next('OpenStandardMiningChannel.Success');
    const job = await client.next('NewMiningJob');
    const prevHash = await client.next('SetNewPrevHash');
    const work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot: job.merkle_root,
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    client.send({
      type: 'SubmitSharesStandard',
      channel_id: opened.channel_id,
      sequence_number: 5,
      job_id: job.job_id,
      nonce: searchNonce(work, u256(opened.target)),
      ntime: work.ntime,
      version: work.version,
    });
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 5,
      error_code: 'share-not-recorded',
    });
    expect(client.has('SubmitShares.Success')).toBe(false);
  });
});
