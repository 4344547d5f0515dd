import Type from 'typebox';

/** The bitcoind node the pool mines on, and the devchain that stands in for one. Sections of ConfigSchema (config.ts). */

export const NodeSettings = Type.Object(
  {
    rpcUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'bitcoind JSON-RPC URL. With several wallets loaded, end it with /wallet/<name> (the wallet payouts spend from). Unset: run the built-in devchain (development only).',
      }),
    ),
    rpcUser: Type.Optional(Type.String({ minLength: 1 })),
    rpcPassword: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
    rpcCookieFile: Type.Optional(
      Type.String({ minLength: 1, description: "bitcoind's .cookie file, instead of user and password." }),
    ),
    zmqUrl: Type.Optional(
      Type.String({ pattern: '^tcp://', description: "bitcoind's -zmqpubhashblock endpoint." }),
    ),
    rpcTimeoutMs: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
    pollIntervalMs: Type.Integer({
      default: 500,
      minimum: 50,
      maximum: 10_000,
      description: 'getbestblockhash polling: a new block is seen within this.',
    }),
    refreshIntervalMs: Type.Integer({
      default: 30_000,
      minimum: 1_000,
      maximum: 600_000,
      description: 'A fresh template this often, for new transactions.',
    }),
    longpoll: Type.Boolean({
      default: true,
      description:
        "[BIP22] hold one getblocktemplate longpoll per host (shared by its Stratum processes); it takes one of the node's -rpcthreads for as long as it is held.",
    }),
    rpcConcurrency: Type.Integer({
      default: 2,
      minimum: 1,
      maximum: 16,
      description:
        "Calls a process has in flight to the node at once besides the longpoll and block submissions, which have connections of their own; keep the host's total under the node's -rpcthreads.",
    }),
    submitNodes: Type.Array(
      Type.Object(
        {
          rpcUrl: Type.String({ pattern: '^https?://' }),
          rpcUser: Type.Optional(Type.String({ minLength: 1 })),
          rpcPassword: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
          rpcCookieFile: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'Other bitcoind nodes every found block is offered to as well ({rpcUrl, rpcUser, rpcPassword} or {rpcUrl, rpcCookieFile}; as JSON in the variable), so it reaches the network when the main node cannot take it.',
      },
    ),
  },
  { default: {} },
);

export const DevchainSettings = Type.Object(
  {
    rpcPort: Type.Integer({ default: 18443, minimum: 0, maximum: 65535 }),
    zmqPort: Type.Integer({ default: 28332, minimum: 0, maximum: 65535 }),
    difficulty: Type.Number({
      default: 0.01,
      exclusiveMinimum: 0,
      description: 'Network difficulty of the devchain.',
    }),
    networkBlockSeconds: Type.Integer({
      default: 600,
      minimum: 0,
      description: 'A competing network block this often; 0 for none.',
    }),
    transactionSeconds: Type.Integer({ default: 15, minimum: 0 }),
    mempoolSize: Type.Integer({ default: 30, minimum: 0, maximum: 5_000 }),
  },
  { default: {} },
);
