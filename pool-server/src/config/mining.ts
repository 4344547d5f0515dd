import Type from 'typebox';

/** Mining: the pool's coinbase and scheme, payouts, and the Stratum server. Sections of ConfigSchema (config.ts). */

export const PoolSettings = Type.Object(
  {
    payoutAddress: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The pool address the coinbase pays (fees in SOLO mode); with payouts on, an address of the node's wallet. Required on main; unset on a test chain: a new address of the node's wallet at each start.",
      }),
    ),
    payoutMode: Type.Union([Type.Literal('pool'), Type.Literal('solo')], { default: 'pool' }),
    soloFeePercent: Type.Number({ default: 1, minimum: 0, maximum: 99.99 }),
    scheme: Type.Enum(['pplns', 'pps', 'fpps'], {
      default: 'pplns',
      description:
        'How pool (not SOLO) miners are paid: PPLNS shares found blocks; PPS pays each share its expected subsidy at once; FPPS the subsidy and fees.',
    }),
    feePercent: Type.Number({ default: 1, minimum: 0, maximum: 99.99, description: 'The pool fee.' }),
    pplnsWindowFactor: Type.Number({
      default: 2,
      minimum: 0.01,
      maximum: 100,
      description: 'PPLNS window: the latest shares worth this many times the network difficulty.',
    }),
    tag: Type.String({ default: '/hashwatt/', maxLength: 40, description: 'Carried in every coinbase.' }),
  },
  { default: {} },
);

export const PayoutsSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: "Pay miners through the node's wallet (sendmany).",
    }),
    thresholdBtc: Type.Number({
      default: 0.01,
      minimum: 0.00001,
      maximum: 21_000_000,
      description: 'A miner is paid once the payable balance reaches this.',
    }),
    intervalSeconds: Type.Integer({ default: 3_600, minimum: 1, description: 'Payouts run this often.' }),
    maxRecipients: Type.Integer({
      default: 500,
      minimum: 1,
      maximum: 2_000,
      description: 'Recipients of one sendmany.',
    }),
    maturityConfirmations: Type.Integer({
      default: 101,
      minimum: 1,
      maximum: 1_000,
      description:
        "A found block is pending until it has this many confirmations: 101 is when Bitcoin Core's wallet spends a coinbase (COINBASE_MATURITY 100 blocks on top of it).",
    }),
    maturityCheckSeconds: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 3_600,
      description: 'Pending blocks are checked against the node this often.',
    }),
  },
  { default: {} },
);

const DNS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const PUBLIC_HOST = new RegExp(`^(?:${DNS_LABEL}(?:\\.${DNS_LABEL})*|\\[[0-9A-Fa-f:.]{2,45}\\])$`);

/** Each public host that is not a DNS name, an IPv4 address or an IPv6 address in brackets: what goes between "//" and ":port" in a URL. */
function publicHostProblems(hosts: readonly string[]): string[] {
  return hosts
    .filter((host) => !PUBLIC_HOST.test(host))
    .map(
      (host) =>
        `stratum.publicHosts (HASHWATT_STRATUM_PUBLIC_HOSTS): ${JSON.stringify(host)} is not a DNS name, an IPv4 address or an IPv6 address in brackets`,
    );
}

/**
 * What is wrong with the Stratum settings taken together: public hosts that are no host, and
 * stratum.jdsPort without a V2 port to mine declared jobs on, or with processes that would not know them.
 */
export function stratumProblems(stratum: {
  readonly publicHosts: readonly string[];
  readonly jdsPort?: number;
  readonly v2Port?: number;
  readonly processes: number;
}): string[] {
  const problems = publicHostProblems(stratum.publicHosts);
  if (stratum.jdsPort === undefined) {
    return problems;
  }
  if (stratum.v2Port === undefined) {
    problems.push('stratum.jdsPort needs stratum.v2Port: declared jobs are mined over Stratum V2');
  }
  if (stratum.processes > 1) {
    problems.push(
      `stratum.jdsPort needs stratum.processes 1, not ${String(stratum.processes)}: a declared job is known only to the process that accepted it`,
    );
  }
  return problems;
}

export const StratumSettings = Type.Object(
  {
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ default: 3333, minimum: 0, maximum: 65535 }),
    tlsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    soloPort: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description: 'A second plain port whose miners mine SOLO (their coinbase pays their address).',
      }),
    ),
    v2Port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description:
          'Stratum V2 (binary, Noise-encrypted; the keys are sv2Noise.*) on this port, beside V1, sharing its jobs, limits, bans and ledger. Unset: no Stratum V2.',
      }),
    ),
    jdsPort: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description:
          "Stratum V2's Job Declaration Server on this port (Noise-encrypted with the keys of stratum.v2Port, which it needs): farms declare their own templates, whose coinbase pays the pool, and mine them on the V2 port with SetCustomMiningJob. Unset: miners mine the pool's jobs only.",
      }),
    ),
    jdsTokenLifetimeSeconds: Type.Integer({
      default: 3_600,
      minimum: 10,
      maximum: 86_400,
      description:
        'How long a Job Declaration token (AllocateMiningJobToken) or declared job lasts unused. A client may hold a token until its next template, which a quiet mempool brings only with the next block: an hour outlasts all but 0.25% of block intervals (exponential, 10 minutes on average), and a token that expires in use sends the client to its fallback pool. Each connection holds at most 64 tokens and each address 1,024, so a long lifetime costs little.',
    }),
    jdsCoinbaseOnly: Type.Boolean({
      default: false,
      description:
        "Let Job Declarator Clients keep their transactions to themselves (Stratum V2 Coinbase-only mode): their jobs are checked only for a coinbase that pays the pool the whole reward, at least the subsidy. The pool then knows neither the fees claimed nor whether the transactions are valid, so shares on an invalid template are paid for work that can never be a block, and a block found on such a job is the client's to broadcast (the pool watches the chain for it). Off: clients must reveal their transactions (Full-Template mode).",
    }),
    tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
    tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    publicHosts: Type.Array(
      // Checked by publicHostProblems, whose refusal says what a host may be.
      Type.String({ minLength: 1, maxLength: 253 }),
      {
        default: [],
        maxItems: 16,
        description:
          "The names miners reach the Stratum ports at (pool.example.com, a region's name, an address), shown on the connect-your-miner page. Empty: the page offers the host the dashboard was loaded from.",
      },
    ),
    proxyProtocolFrom: Type.Array(Type.String(), {
      default: [],
      description: 'Load balancers whose PROXY protocol header is trusted.',
    }),
    nodeId: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 255,
      description: 'High byte of every extranonce1: unique per Stratum node.',
    }),
    processes: Type.Integer({
      default: 1,
      minimum: 1,
      maximum: 64,
      description:
        'Stratum processes sharing the port, each with node id nodeId + its index: more cores, more connections.',
    }),
    thread: Type.Boolean({
      default: true,
      description:
        "With one Stratum process: run the Stratum role (sockets, sessions, share validation, the share journal, replies, found blocks) in a worker thread of its own, so that storing shares, rollups, payouts and the API never hold a miner's reply. false runs everything on one event loop.",
    }),
    extranonce2Size: Type.Integer({ default: 8, minimum: 2, maximum: 8 }),
    versionMask: Type.String({ default: '1fffe000', pattern: '^[0-9a-fA-F]{8}$' }),
    maxConnections: Type.Integer({ default: 100_000, minimum: 1 }),
    maxConnectionsPerAddress: Type.Integer({ default: 5_000, minimum: 1 }),
    maxWorkersPerConnection: Type.Integer({ default: 64, minimum: 1 }),
    idleTimeoutSeconds: Type.Integer({ default: 600, minimum: 5 }),
    lineTimeoutSeconds: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 600,
      description:
        'A line begun must end (newline) within this long: a slow-loris peer trickling bytes is cut off and penalized.',
    }),
    drainTimeoutSeconds: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 600,
      description: 'A miner that does not read what the pool sends for this long is dropped.',
    }),
    maxLineBytes: Type.Integer({ default: 16_384, minimum: 1_024, maximum: 1_048_576 }),
    targetShareSeconds: Type.Number({ default: 10, minimum: 1, maximum: 600 }),
    vardiffRetargetSeconds: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 3_600,
      description: 'A quiet miner is not lowered before this much time has passed.',
    }),
    minDifficulty: Type.Number({ default: 0.0001, exclusiveMinimum: 0 }),
    maxDifficulty: Type.Number({ default: 2 ** 48, exclusiveMinimum: 0 }),
    startDifficulty: Type.Number({ default: 1024, exclusiveMinimum: 0 }),
    banThreshold: Type.Integer({ default: 100, minimum: 1 }),
    banSeconds: Type.Integer({ default: 600, minimum: 1 }),
  },
  { default: {} },
);
