import { existsSync } from 'node:fs';
import type { ConnectInfo } from '@hashwatt/schemas';
import type { Config } from '../config.ts';
import { noiseKeyFiles, readCertificateFile } from '../stratum/v2/noise-keys.ts';
import { encodeAuthorityPublicKey } from '../stratum/v2/noise/authority-key.ts';

/** While the authority key is not known, the certificate file is looked for at most this often. */
const KEY_LOOKUP_MS = 10_000;

/**
 * The Stratum ports miners are told of; a port of 0 (any free one, in tests) is not one they
 * can be told. `authorityPublicKey`: Stratum V2's, as miners pin it (and Job Declarator
 * Clients, on stratum.jdsPort); null when not known.
 */
export function connectInfo(config: Config, authorityPublicKey: string | null = null): ConnectInfo {
  const { stratum } = config;
  const endpoints: ConnectInfo['endpoints'] = [
    { scheme: 'stratum+tcp', port: stratum.port, solo: config.pool.payoutMode === 'solo' },
    ...(stratum.tlsPort === undefined
      ? []
      : [{ scheme: 'stratum+ssl' as const, port: stratum.tlsPort, solo: config.pool.payoutMode === 'solo' }]),
    ...(stratum.soloPort === undefined
      ? []
      : [{ scheme: 'stratum+tcp' as const, port: stratum.soloPort, solo: true }]),
  ];
  return {
    chain: config.chain,
    hosts: stratum.publicHosts,
    endpoints: endpoints.filter((endpoint) => endpoint.port > 0),
    difficulty: {
      start: stratum.startDifficulty,
      min: stratum.minDifficulty,
      max: stratum.maxDifficulty,
      targetShareSeconds: stratum.targetShareSeconds,
      passwordOption: 'd=',
    },
    soloPasswordOption: 'solo',
    sv2:
      stratum.v2Port === undefined || stratum.v2Port === 0
        ? null
        : {
            port: stratum.v2Port,
            authorityPublicKey,
            jdsPort: stratum.jdsPort === undefined || stratum.jdsPort === 0 ? null : stratum.jdsPort,
          },
  };
}

/**
 * The authority public key miners pin: the one configured (sv2Noise.authorityPublicKey),
 * else the one that signed the pool's certificate. Undefined before the Stratum role has
 * made the certificate (its first start with V2), or where this process cannot read it.
 */
function authorityPublicKey(config: Config): string | undefined {
  const pinned = config.sv2Noise.authorityPublicKey;
  if (pinned !== undefined) {
    return pinned;
  }
  const { certificateFile } = noiseKeyFiles(config);
  if (!existsSync(certificateFile)) {
    return undefined;
  }
  try {
    return encodeAuthorityPublicKey(readCertificateFile(certificateFile).authorityPublicKey);
  } catch {
    // The Stratum role refuses to start on such a file, saying why; here the key is just not known.
    return undefined;
  }
}

/**
 * The API's connect facts: fixed by the configuration, but for Stratum V2's authority key,
 * which the Stratum role makes at its first start, after the API has started. Looked for
 * until found, at most every KEY_LOOKUP_MS.
 */
export function connectFacts(config: Config, nowMs: () => number = Date.now): () => ConnectInfo {
  let facts = connectInfo(config);
  let settled = facts.sv2 === null;
  let lookedAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (settled || nowMs() - lookedAt < KEY_LOOKUP_MS) {
      return facts;
    }
    lookedAt = nowMs();
    const key = authorityPublicKey(config);
    if (key !== undefined) {
      facts = connectInfo(config, key);
      settled = true;
    }
    return facts;
  };
}
