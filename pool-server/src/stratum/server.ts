import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { BanList, type BanSettings } from './bans.ts';
import {
  StratumConnection,
  type ConnectionHost,
  type ConnectionSettings,
  type MinerConnection,
} from './connection.ts';
import { parseProxyHeader } from './proxy-protocol.ts';
import type { StratumEnvironment } from './session-context.ts';
import { Sv2Connection } from './v2/connection.ts';
import type { NoiseServerIdentity } from './v2/noise/responder.ts';

export interface StratumServerSettings {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Stratum over TLS on its own port, when a certificate is configured. */
  readonly tls:
    { readonly port: number; readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** A plain port whose miners all mine SOLO; undefined for none. */
  readonly soloPort: number | undefined;
  /** HAProxy's PROXY protocol (v1 or v2) from these load balancers only; required from them. */
  readonly proxyProtocol: { readonly trustedAddresses: readonly string[] } | undefined;
  /**
   * Stratum V2 (Noise-encrypted, binary) on its own port, with the pool's Noise identity;
   * `jdsPort`: its Job Declaration Server on another, under the same identity.
   */
  readonly sv2:
    { readonly port: number; readonly jdsPort?: number; readonly identity: NoiseServerIdentity } | undefined;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly bans: BanSettings;
  readonly connection: ConnectionSettings;
  /** How often sessions are ticked (vardiff for quiet miners) and bans swept. */
  readonly tickMs: number;
  /**
   * Replies held this long in one turn of the event loop are committed and sent before
   * the next connection is read, not at the end of the turn: under load a turn reads
   * hundreds of sockets, and the first would wait for the last. Measured on now(), in
   * whole milliseconds. Infinity: once a turn (when every commit waits for the disk).
   */
  readonly groupCommitMs: number;
}

/**
 * How a listener's miners connect: plain TCP, TLS, plain TCP mining SOLO by default, Stratum
 * V2, or Stratum V2's Job Declaration Server.
 */
type Listener = 'plain' | 'tls' | 'solo' | 'sv2' | 'jds';

/** A PROXY header must arrive this quickly; a balancer sends it at once. */
const PROXY_HEADER_TIMEOUT_MS = 5_000;

function plainAddress(address: string | undefined): string {
  // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
  return (address ?? 'unknown').replace(/^::ffff:/, '');
}

/** The Stratum listener(s): accepts sockets, enforces limits and bans, hands each to a connection. */
export class StratumServer implements ConnectionHost {
  readonly env: StratumEnvironment;
  readonly settings: ConnectionSettings;
  readonly #options: StratumServerSettings;
  readonly #log: Logger;
  readonly #bans: BanList;
  readonly #connections = new Set<MinerConnection>();
  readonly #perAddress = new Map<string, number>();
  readonly #listeners: net.Server[] = [];
  readonly #secureContext: tls.SecureContext | undefined;
  /** The environment of sessions on the SOLO port. */
  readonly #soloEnv: StratumEnvironment;
  #ticker: NodeJS.Timeout | undefined;
  #accepting = true;
  /** Connections whose replies wait for the next commit, and since when the first has. */
  #holding: MinerConnection[] = [];
  #holdingSince = 0;
  #commitScheduled = false;

  constructor(env: StratumEnvironment, options: StratumServerSettings, log: Logger) {
    this.env = env;
    this.settings = options.connection;
    this.#options = options;
    this.#log = log;
    this.#bans = new BanList(options.bans);
    this.#secureContext =
      options.tls && tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key });
    this.#soloEnv = { ...env, settings: { ...env.settings, soloByDefault: true } };
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get authorizedCount(): number {
    let count = 0;
    for (const connection of this.#connections) {
      if (connection.session.authorized) {
        count++;
      }
    }
    return count;
  }

  now(): number {
    return Date.now();
  }

  /** Starts listening; resolves with the ports bound. */
  async listen(): Promise<{
    port: number;
    tlsPort: number | undefined;
    soloPort: number | undefined;
    sv2Port: number | undefined;
    jdsPort: number | undefined;
  }> {
    const port = await this.#bind(this.#options.port, 'plain');
    const tlsPort = this.#options.tls ? await this.#bind(this.#options.tls.port, 'tls') : undefined;
    const soloPort =
      this.#options.soloPort === undefined ? undefined : await this.#bind(this.#options.soloPort, 'solo');
    const sv2Port = this.#options.sv2 ? await this.#bind(this.#options.sv2.port, 'sv2') : undefined;
    const jdsPort =
      this.#options.sv2?.jdsPort === undefined
        ? undefined
        : await this.#bind(this.#options.sv2.jdsPort, 'jds');
    this.#ticker = setInterval(() => {
      const now = this.now();
      for (const connection of this.#connections) {
        connection.session.tick(now);
      }
      this.#bans.sweep(now);
    }, this.#options.tickMs);
    this.#ticker.unref();
    return { port, tlsPort, soloPort, sv2Port, jdsPort };
  }

  /** Sends every session its current job (after JobFeed.setTemplate). */
  broadcastJob(): void {
    for (const connection of this.#connections) {
      connection.session.sendCurrentJob();
    }
  }

  /**
   * The node's id has changed (another node holds the old one): every session moves to
   * an extranonce1 of the new id's range, so no two nodes hand out the same work. Miners
   * that take mining.set_extranonce keep their connection and get a job that cleans the
   * old ones; the others are asked to reconnect. Returns how many of each.
   */
  moveToNode(nodeId: number): { moved: number; reconnected: number } {
    this.env.extranonces.moveTo(nodeId);
    let moved = 0;
    let reconnected = 0;
    for (const connection of this.#connections) {
      const outcome = connection.session.moveExtranonce1();
      if (outcome === 'moved') {
        moved++;
      } else if (outcome === 'reconnect') {
        reconnected++;
        connection.close('node id moved');
      }
    }
    if (this.env.feed.reissue()) {
      this.broadcastJob();
    }
    this.#log.warn({ nodeId, moved, reconnected }, 'stratum: sessions moved to a new node id');
    return { moved, reconnected };
  }

  /** `now`: the connection's reading of this.now(), so that a chunk costs one clock reading. */
  repliesHeld(connection: MinerConnection, now: number): void {
    // The connections held so far have handled their whole chunks; this one has not started.
    if (this.#holding.length > 0 && now - this.#holdingSince >= this.#options.groupCommitMs) {
      this.commitAndReply();
    }
    if (this.#holding.push(connection) === 1) {
      this.#holdingSince = now;
    }
    if (!this.#commitScheduled) {
      this.#commitScheduled = true;
      // After the poll phase: every socket that was readable in this turn has been read.
      setImmediate(this.#endOfTurn);
    }
  }

  readonly #endOfTurn = (): void => {
    this.#commitScheduled = false;
    this.commitAndReply();
  };

  /**
   * Group commit: one journal write for every share accepted in this turn (or its
   * groupCommitMs), however many connections sent them, then the replies: committing
   * per chunk costs a write per share when miners submit one share at a time, as most do.
   * A commit that fails refuses every share it held, whichever connection sent it.
   */
  commitAndReply(): void {
    const holding = this.#holding;
    this.#holding = [];
    const committed = this.env.events.commitShares();
    for (const connection of holding) {
      connection.sendReplies(committed);
    }
  }

  penalize(address: string, points: number, reason: string): void {
    if (this.#bans.penalize(address, points, this.now())) {
      this.#log.warn({ address, reason, seconds: this.#options.bans.banSeconds }, 'stratum: address banned');
      for (const connection of this.#connections) {
        if (connection.remoteAddress === address) {
          connection.session.showMessage(
            `hashwatt: this address is banned for ${String(this.#options.bans.banSeconds)} s (${reason})`,
          );
          connection.close(`banned: ${reason}`);
        }
      }
    }
  }

  closed(connection: MinerConnection, reason: string): void {
    this.#connections.delete(connection);
    const left = (this.#perAddress.get(connection.remoteAddress) ?? 1) - 1;
    if (left <= 0) {
      this.#perAddress.delete(connection.remoteAddress);
    } else {
      this.#perAddress.set(connection.remoteAddress, left);
    }
    this.#log.debug({ address: connection.remoteAddress, reason }, 'stratum: connection closed');
  }

  /**
   * Stops accepting, asks every miner to reconnect (client.reconnect, V2's Reconnect: they
   * come back when the pool does), and closes once what was queued is sent.
   */
  async stop(): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#ticker);
    const listenersClosed = Promise.all(
      this.#listeners.map(
        (listener) =>
          new Promise<void>((resolve) => {
            listener.close(() => {
              resolve();
            });
          }),
      ),
    );
    for (const connection of this.#connections) {
      connection.session.reconnect();
      connection.close('pool stopping');
    }
    await listenersClosed;
  }

  #bind(port: number, kind: Listener): Promise<number> {
    const listener = net.createServer({ noDelay: true }, (socket) => {
      this.#accept(socket, kind);
    });
    listener.maxConnections = this.#options.maxConnections;
    this.#listeners.push(listener);
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host: this.#options.host, port, backlog: 4096 }, () => {
        listener.off('error', reject);
        listener.on('error', (error) => {
          this.#log.error({ err: error }, 'stratum: listener error');
        });
        resolve((listener.address() as AddressInfo).port);
      });
    });
  }

  #accept(socket: Socket, kind: Listener): void {
    socket.on('error', (error) => {
      // Resets during the PROXY header or the TLS handshake; the socket closes itself.
      this.#log.debug({ err: error }, 'stratum: socket error');
    });
    const peer = plainAddress(socket.remoteAddress);
    if (!this.#accepting) {
      socket.destroy();
      return;
    }
    const proxy = this.#options.proxyProtocol;
    if (proxy?.trustedAddresses.includes(peer)) {
      this.#readProxyHeader(socket, kind);
      return;
    }
    this.#admit(socket, peer, kind, undefined);
  }

  #readProxyHeader(socket: Socket, kind: Listener): void {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
    }, PROXY_HEADER_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const header = parseProxyHeader(received);
      if (header.kind === 'incomplete') {
        return;
      }
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (header.kind === 'invalid') {
        this.#log.warn({ reason: header.reason }, 'stratum: bad PROXY header from a trusted balancer');
        socket.destroy();
        return;
      }
      const rest = received.subarray(header.length);
      const address = header.kind === 'proxied' ? header.sourceAddress : plainAddress(socket.remoteAddress);
      this.#admit(socket, address, kind, rest);
    };
    socket.on('data', onData);
  }

  #admit(socket: Socket, address: string, kind: Listener, rest: Buffer | undefined): void {
    const now = this.now();
    if (this.#bans.isBanned(address, now)) {
      socket.destroy();
      return;
    }
    const held = this.#perAddress.get(address) ?? 0;
    if (held >= this.#options.maxConnectionsPerAddress) {
      this.#log.debug({ address }, 'stratum: per-address connection limit');
      socket.destroy();
      return;
    }
    this.#perAddress.set(address, held + 1);
    let stream: Socket = socket;
    let early = rest;
    if (kind === 'tls' && this.#secureContext) {
      if (rest && rest.length > 0) {
        socket.unshift(rest);
      }
      early = undefined;
      stream = new tls.TLSSocket(socket, { isServer: true, secureContext: this.#secureContext });
      stream.on('error', (error) => {
        this.#log.debug({ err: error, address }, 'stratum: TLS error');
      });
    }
    const connection =
      (kind === 'sv2' || kind === 'jds') && this.#options.sv2
        ? new Sv2Connection(
            stream,
            address,
            this,
            this.env,
            this.#options.sv2.identity,
            kind === 'jds' ? 'job-declaration' : 'mining',
          )
        : new StratumConnection(stream, address, this, kind === 'solo' ? this.#soloEnv : this.env);
    this.#connections.add(connection);
    if (early) {
      connection.receiveEarly(early);
    }
    socket.resume();
  }
}
