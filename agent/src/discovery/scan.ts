import ipaddr from 'ipaddr.js';
import { withDeadline } from '../protocol/deadline.ts';
import type { RpcLimits } from '../protocol/rpc-error.ts';
import { probeHost, type Identified, type ProbePorts } from './identify.ts';

/**
 * Finds the miners in CIDR ranges. Hosts are probed a bounded number at a time, and
 * each host has a deadline of its own, so a device that accepts TCP and never
 * answers costs one deadline, never the scan; whatever a host does, it ends as a
 * result of its own (found, unidentified, timed out or failed).
 */

export interface ScanOptions {
  readonly ports: ProbePorts;
  readonly limits: RpcLimits;
  /** Hosts probed at once. */
  readonly concurrency: number;
  /** A host's probes all end by then. */
  readonly hostTimeoutMs: number;
}

export const MAX_SCAN_HOSTS = 65_536;

export class ScanRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanRangeError';
  }
}

/** The host addresses of IPv4 ranges ("10.0.4.0/22", or one address), network and broadcast left out. */
export function hostsOf(ranges: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const range of ranges) {
    let base: ipaddr.IPv4;
    let bits: number;
    try {
      if (range.includes('/')) {
        [base, bits] = ipaddr.IPv4.parseCIDR(range);
      } else {
        base = ipaddr.IPv4.parse(range);
        bits = 32;
      }
    } catch {
      throw new ScanRangeError(`"${range}" is not an IPv4 address or CIDR range (e.g. 10.0.4.0/22)`);
    }
    if (bits < 16) {
      throw new ScanRangeError(`"${range}" is wider than a /16: scan smaller ranges`);
    }
    const start = toNumber(ipaddr.IPv4.networkAddressFromCIDR(`${base.toString()}/${String(bits)}`));
    const size = 2 ** (32 - bits);
    const first = size > 2 ? 1 : 0;
    const last = size > 2 ? size - 2 : size - 1;
    for (let i = first; i <= last; i += 1) {
      hosts.add(fromNumber(start + i));
    }
    if (hosts.size > MAX_SCAN_HOSTS) {
      throw new ScanRangeError(`the ranges hold more than ${String(MAX_SCAN_HOSTS)} hosts`);
    }
  }
  return [...hosts];
}

function toNumber(address: ipaddr.IPv4): number {
  return address.octets.reduce((n, octet) => n * 256 + octet, 0);
}

function fromNumber(n: number): string {
  return [24, 16, 8, 0].map((shift) => String(Math.floor(n / 2 ** shift) % 256)).join('.');
}

export interface ScanResult {
  readonly found: Identified[];
  readonly probed: number;
  /** Hosts where a probed port accepted connections but nothing answered as a miner does. */
  readonly unidentified: { readonly host: string; readonly openPorts: readonly number[] }[];
  /** Hosts whose probes outlived the host deadline. */
  readonly timedOut: string[];
  /** Hosts whose probe failed in a way no probe expected, with why: a result, never a failed scan. */
  readonly failed: { readonly host: string; readonly reason: string }[];
}

export async function scan(hosts: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const found: Identified[] = [];
  const unidentified: { host: string; openPorts: readonly number[] }[] = [];
  const timedOut: string[] = [];
  const failed: { host: string; reason: string }[] = [];
  let next = 0;
  // A host's probes give up before its deadline, so a silent device is reported, not lost.
  const limits: RpcLimits = {
    ...options.limits,
    connectTimeoutMs: Math.min(options.limits.connectTimeoutMs, options.hostTimeoutMs / 4),
    totalTimeoutMs: Math.min(options.limits.totalTimeoutMs, (options.hostTimeoutMs * 3) / 4),
  };
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const host = hosts[next] ?? '';
      next += 1;
      let outcome: Awaited<ReturnType<typeof probeHost>> | 'timeout';
      try {
        outcome = await withDeadline(probeHost(host, options.ports, limits), options.hostTimeoutMs);
      } catch (error) {
        failed.push({ host, reason: error instanceof Error ? error.message : String(error) });
        continue;
      }
      if (outcome === 'timeout') {
        timedOut.push(host);
      } else if (outcome.identified) {
        found.push(outcome.identified);
      } else if (outcome.openPorts.length > 0) {
        unidentified.push({ host, openPorts: outcome.openPorts });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, hosts.length)) }, worker));
  const order = new Map(hosts.map((host, i) => [host, i]));
  const byRange = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  found.sort((a, b) => byRange(a.address.host, b.address.host));
  unidentified.sort((a, b) => byRange(a.host, b.host));
  failed.sort((a, b) => byRange(a.host, b.host));
  return { found, probed: hosts.length, unidentified, timedOut, failed };
}
