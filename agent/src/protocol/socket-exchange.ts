import { connect } from 'node:net';
import { ReplyBuffer } from './reply-buffer.ts';
import { RpcError, type RpcLimits, type RpcTarget } from './rpc-error.ts';

/**
 * One request and one reply over a fresh TCP connection, bounded by a connect
 * deadline, a total deadline and a size limit, for every miner protocol on raw TCP:
 * the socket is always destroyed, whatever the device does or fails to do.
 */
export interface Exchange<T> {
  readonly request: Buffer;
  /** Half-close after the request (cgminer reads to EOF); otherwise keep writing open. */
  readonly halfClose: boolean;
  /**
   * A whole reply in `received` (or the peer closed: `ended`)? Its value, an error, or
   * undefined to wait. `received` is a view of the reply buffer, valid during the call.
   */
  complete(
    received: Buffer,
    ended: boolean,
  ): { readonly value: T } | { readonly error: RpcError } | undefined;
}

export function exchangeOnce<T>(target: RpcTarget, limits: RpcLimits, exchange: Exchange<T>): Promise<T> {
  const where = `${target.host}:${String(target.port)}`;
  return new Promise((resolve, reject) => {
    const received = new ReplyBuffer(limits.maxBytes);
    let settled = false;
    const socket = connect({ host: target.host, port: target.port });
    const finish = (outcome: { readonly value: T } | { readonly error: RpcError }): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      socket.destroy();
      if ('error' in outcome) {
        reject(outcome.error);
      } else {
        resolve(outcome.value);
      }
    };
    const connectTimer = setTimeout(() => {
      finish({
        error: new RpcError(
          'connect-timeout',
          `${where}: no TCP connection within ${String(limits.connectTimeoutMs)} ms`,
        ),
      });
    }, limits.connectTimeoutMs);
    const totalTimer = setTimeout(() => {
      finish({
        error: new RpcError(
          'timeout',
          `${where}: no complete reply within ${String(limits.totalTimeoutMs)} ms`,
        ),
      });
    }, limits.totalTimeoutMs);
    const check = (ended: boolean): void => {
      const outcome = exchange.complete(received.view(), ended);
      if (outcome) {
        finish(outcome);
      } else if (ended) {
        finish({ error: new RpcError('closed-empty', `${where}: closed before a whole reply`) });
      }
    };
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      if (exchange.halfClose) {
        socket.end(exchange.request);
      } else {
        socket.write(exchange.request);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (!received.append(chunk)) {
        finish({ error: new RpcError('too-large', `${where}: reply over ${String(limits.maxBytes)} bytes`) });
        return;
      }
      check(false);
    });
    socket.once('end', () => {
      check(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      finish({
        error: new RpcError(
          error.code === 'ECONNREFUSED' ? 'refused' : 'network',
          `${where}: ${error.code ?? 'network error'} (${error.message})`,
        ),
      });
    });
  });
}
