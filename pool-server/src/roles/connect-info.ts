import type { ConnectInfo } from '@hashwatt/schemas';
import type { Config } from '../config.ts';

/** The Stratum ports miners are told of; a port of 0 (any free one, in tests) is not one they can be told. */
export function connectInfo(config: Config): ConnectInfo {
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
  };
}
