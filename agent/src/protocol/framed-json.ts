import { parseDeviceJson } from './repair.ts';
import { RpcError, type RpcLimits, type RpcTarget } from './rpc-error.ts';
import { exchangeOnce } from './socket-exchange.ts';

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
  return exchangeOnce<unknown>(target, limits, {
    request: frame(body),
    halfClose: false,
    complete: (received) => {
      if (received.length < 4) {
        return undefined;
      }
      const length = received.readUInt32LE(0);
      if (length > limits.maxBytes) {
        return { error: new RpcError('too-large', `${where}: a reply of ${String(length)} bytes announced`) };
      }
      if (received.length < 4 + length) {
        return undefined;
      }
      try {
        return { value: parseDeviceJson(received.subarray(4, 4 + length).toString('utf8')).value };
      } catch (error) {
        return { error: new RpcError('json', `${where}: ${(error as Error).message}`) };
      }
    },
  });
}
