/**
 * Stratum V2 as the Stratum node runs it: the Mining protocol's port under the pool's Noise
 * identity (opened at start-up: keys that do not open stop it, saying why) and, with
 * stratum.jdsPort, the Job Declaration Server on its own port with the book of tokens and
 * declared jobs that the Mining sessions read.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { StratumServerSettings } from '../stratum/server.ts';
import { JobDeclarations } from '../stratum/v2/job-declarations.ts';
import { noiseKeyFiles, openNoiseIdentity } from '../stratum/v2/noise-keys.ts';
import { EXTRANONCE1_SIZE } from '../work/coinbase.ts';

export interface StratumV2Listeners {
  readonly sv2: StratumServerSettings['sv2'];
  /** For the sessions' environment; undefined without stratum.jdsPort. */
  readonly jobDeclarations: JobDeclarations | undefined;
}

export function stratumV2Listeners(config: Config, poolScript: Buffer, log: Logger): StratumV2Listeners {
  const { stratum } = config;
  if (stratum.v2Port === undefined) {
    return { sv2: undefined, jobDeclarations: undefined };
  }
  const identity = openNoiseIdentity(noiseKeyFiles(config), {
    pinnedAuthority: config.sv2Noise.authorityPublicKey,
    certificateDays: config.sv2Noise.certificateDays,
    nowSeconds: Math.floor(Date.now() / 1000),
    log,
  }).identity;
  return {
    sv2: {
      port: stratum.v2Port,
      identity,
      ...(stratum.jdsPort !== undefined && { jdsPort: stratum.jdsPort }),
    },
    jobDeclarations:
      stratum.jdsPort === undefined
        ? undefined
        : new JobDeclarations({
            poolScript,
            extranonceSize: EXTRANONCE1_SIZE + stratum.extranonce2Size,
            tokenLifetimeMs: stratum.jdsTokenLifetimeSeconds * 1000,
            now: Date.now,
            coinbaseOnly: stratum.jdsCoinbaseOnly,
          }),
  };
}
