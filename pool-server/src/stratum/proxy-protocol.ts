import net from 'node:net';

/**
 * The HAProxy PROXY protocol, v1 (text) and v2 (binary), as sent by a load balancer
 * before the client's own bytes (www.haproxy.org/download/2.8/doc/proxy-protocol.txt).
 */
export type ProxyHeader =
  | {
      readonly kind: 'proxied';
      readonly sourceAddress: string;
      readonly sourcePort: number;
      readonly length: number;
    }
  /** LOCAL / UNKNOWN: the balancer's own connection (health checks); keep the socket address. */
  | { readonly kind: 'local'; readonly length: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
/** [proxy-protocol 2.1] a v1 line is at most 107 bytes with its CRLF. */
const V1_MAX = 107;
const V2_FIXED = 16;

function parseV1(data: Buffer): ProxyHeader {
  const end = data.indexOf('\r\n');
  if (end === -1) {
    return data.length >= V1_MAX
      ? { kind: 'invalid', reason: 'PROXY v1 line too long' }
      : { kind: 'incomplete' };
  }
  const parts = data.toString('latin1', 0, end).split(' ');
  const length = end + 2;
  if (parts[1] === 'UNKNOWN') {
    return { kind: 'local', length };
  }
  const [, family, source, , sourcePort] = parts;
  const port = Number(sourcePort);
  const valid =
    parts.length === 6 &&
    ((family === 'TCP4' && net.isIPv4(source ?? '')) || (family === 'TCP6' && net.isIPv6(source ?? ''))) &&
    Number.isInteger(port) &&
    port >= 0 &&
    port <= 65535;
  return valid && source !== undefined
    ? { kind: 'proxied', sourceAddress: source, sourcePort: port, length }
    : { kind: 'invalid', reason: 'malformed PROXY v1 line' };
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(bytes.readUInt16BE(i).toString(16));
  }
  return groups.join(':');
}

function parseV2(data: Buffer): ProxyHeader {
  if (data.length < V2_FIXED) {
    return { kind: 'incomplete' };
  }
  const versionCommand = data[12] ?? 0;
  const family = data[13] ?? 0;
  const length = V2_FIXED + data.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) {
    return { kind: 'invalid', reason: 'unsupported PROXY protocol version' };
  }
  if (data.length < length) {
    return { kind: 'incomplete' };
  }
  if ((versionCommand & 0x0f) === 0) {
    return { kind: 'local', length };
  }
  if (family === 0x11 && length >= V2_FIXED + 12) {
    const source = [...data.subarray(16, 20)].join('.');
    return { kind: 'proxied', sourceAddress: source, sourcePort: data.readUInt16BE(24), length };
  }
  if (family === 0x21 && length >= V2_FIXED + 36) {
    return {
      kind: 'proxied',
      sourceAddress: ipv6(data.subarray(16, 32)),
      sourcePort: data.readUInt16BE(48),
      length,
    };
  }
  // UNSPEC or UNIX: no address we can use, but a valid header.
  return { kind: 'local', length };
}

/** Reads a PROXY header at the start of `data` (v1 or v2). */
export function parseProxyHeader(data: Buffer): ProxyHeader {
  const probe = Math.min(data.length, V2_SIGNATURE.length);
  if (data.subarray(0, probe).equals(V2_SIGNATURE.subarray(0, probe))) {
    return data.length < V2_SIGNATURE.length ? { kind: 'incomplete' } : parseV2(data);
  }
  const prefix = Math.min(data.length, V1_PREFIX.length);
  if (data.subarray(0, prefix).equals(V1_PREFIX.subarray(0, prefix))) {
    return data.length < V1_PREFIX.length ? { kind: 'incomplete' } : parseV1(data);
  }
  return { kind: 'invalid', reason: 'the connection did not start with a PROXY header' };
}
