import Type from 'typebox';
import { CHAINS } from '../work/address.ts';

/** The process: the chain it mines, its files, its stop, its log and its roles. Sections of ConfigSchema (config.ts). */

export const ChainSetting = Type.Enum(CHAINS, {
  default: 'regtest',
  description: 'The chain mined, as bitcoind names it: main, test, testnet4, signet or regtest.',
});

export const DataDirSetting = Type.String({
  default: './data',
  minLength: 1,
  description: 'Where the pool keeps its files (found blocks, spool).',
});

export const StopTimeoutSecondsSetting = Type.Integer({
  default: 30,
  minimum: 1,
  maximum: 600,
  description:
    'On SIGTERM or Ctrl-C the pool stops within this long (reconnect sent, shares written, database closed); past it, it exits anyway: what was not written is in its spool.',
});

export const LogLevelSetting = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
  ],
  { default: 'info' },
);

export const LogFormatSetting = Type.Union(
  [Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')],
  {
    default: 'auto',
    description:
      'How the log is written: json (one JSON object a line, for log shippers), pretty (for a person), or auto: pretty when the log goes to a terminal, json otherwise.',
  },
);

export const RolesSetting = Type.Array(
  Type.Union([Type.Literal('stratum'), Type.Literal('writer'), Type.Literal('api')]),
  {
    default: ['stratum', 'writer', 'api'],
    minItems: 1,
    uniqueItems: true,
    description:
      'What this process does: stratum (accepts miners, validates shares), writer (stores shares, runs accounting), api (HTTP API and dashboard). One process runs all three by default; scaled out, Stratum nodes and writers meet through NATS (nats.url).',
  },
);
