import { connect } from 'node:net';
import { parseDeviceJson } from './repair.ts';
import { RpcError, type RpcLimits, type RpcTarget } from './cgminer-rpc.ts';

/**
 * Whatsminer's API v3 on TCP 4433: each message is a 4-byte little-endian length, then
 * that many bytes of JSON, both ways (pyasic BTMinerV3RPCAPI). One request, one reply,
 * bounded by the same deadlines and size limit as the cgminer API.
 */
export function frame(body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length, 0);
  return Buffer.concat([length, json]);
}

export function framedRequest(target: RpcTarget, body: unknown, limits: RpcLimits): Promise<unknown> {
  const where = `${target.host}:${String(target.port)}`;
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host: target.host, port: target.port });
    const finish = (error: Error | undefined, value?: unknown): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      socket.destroy();
      if (error) {
        reject(error);
      } else {
        resolve(value);
      }
    };
    const connectTimer = setTimeout(() => {
      finish(
        new RpcError(
          'connect-timeout',
          `${where}: no TCP connection within ${String(limits.connectTimeoutMs)} ms`,
        ),
      );
    }, limits.connectTimeoutMs);
    const totalTimer = setTimeout(() => {
      finish(
        new RpcError('timeout', `${where}: no complete reply within ${String(limits.totalTimeoutMs)} ms`),
      );
    }, limits.totalTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      socket.write(frame(body));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) {
        return;
      }
      const length = received.readUInt32LE(0);
      if (length > limits.maxBytes) {
        finish(new RpcError('too-large', `${where}: a reply of ${String(length)} bytes announced`));
        return;
      }
      if (received.length >= 4 + length) {
        try {
          finish(undefined, parseDeviceJson(received.subarray(4, 4 + length).toString('utf8')).value);
        } catch (error) {
          finish(new RpcError('json', `${where}: ${(error as Error).message}`));
        }
      }
    });
    socket.once('end', () => {
      finish(new RpcError('closed-empty', `${where}: closed before a whole reply`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      finish(
        new RpcError(
          error.code === 'ECONNREFUSED' ? 'refused' : 'network',
          `${where}: ${error.code ?? error.message}`,
        ),
      );
    });
  });
}
