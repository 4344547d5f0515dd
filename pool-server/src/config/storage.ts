import Type from 'typebox';

/** Where shares and blocks go: NATS between processes, PostgreSQL, the ledger's journals and batches. Sections of ConfigSchema (config.ts). */

export const NatsSettings = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: '^nats://',
        description:
          'NATS server with JetStream. Set: accepted shares and found blocks travel through its stream from Stratum nodes to writers.',
      }),
    ),
    stream: Type.String({
      default: 'HASHWATT_LEDGER',
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'The JetStream stream of share batches, found blocks and network facts.',
    }),
    subjectPrefix: Type.String({
      default: 'hashwatt.ledger',
      pattern: '^[a-z0-9_-]+(\\.[a-z0-9_-]+)*$',
      description: 'Its subjects are <subjectPrefix>.<node id>.<kind>.',
    }),
    duplicateWindowSeconds: Type.Integer({
      default: 600,
      minimum: 10,
      maximum: 86_400,
      description:
        'A batch or block published again within this long is dropped by JetStream; after it, the writer still stores it once by its id.',
    }),
    nodeLeaseSeconds: Type.Integer({
      default: 30,
      minimum: 3,
      maximum: 600,
      description:
        "A Stratum node's claim on its node id lapses this long after the node stopped renewing it (it renews every third of it).",
    }),
    writerName: Type.String({
      default: 'hashwatt-writer',
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'The durable consumer the writers pull from: writers with one name share the work.',
    }),
  },
  { default: {} },
);

export const DatabaseSettings = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description:
          'PostgreSQL (or TimescaleDB) URL. Unset: an embedded PostgreSQL keeps its data in dataDir/postgres.',
      }),
    ),
    embeddedPort: Type.Integer({ default: 54320, minimum: 1, maximum: 65535 }),
    timescale: Type.Enum(['auto', 'on', 'off'], {
      default: 'auto',
      description:
        'TimescaleDB: used when the server preloads it (auto); required, start-up refused naming what is missing (on); never touched, plain tables and rollups only (off).',
    }),
  },
  { default: {} },
);

export const LedgerSettings = Type.Object(
  {
    flushIntervalMs: Type.Integer({
      default: 200,
      minimum: 10,
      maximum: 60_000,
      description: 'A batch of shares is sealed and stored this long after the one before it…',
    }),
    maxBatchShares: Type.Integer({
      default: 10_000,
      minimum: 1,
      maximum: 1_000_000,
      description:
        "…or as soon as it holds this many records (shares, rejects and workers' connections). While the batches before it are still being stored, a batch keeps filling, to four times this many, and is sealed when the store is free.",
    }),
    fsync: Type.Enum(['always', 'interval', 'never'], {
      default: 'interval',
      description:
        "When the share journal is flushed to disk: at every commit, before the replies (always); every fsyncIntervalMs and when a batch's file is closed, off the event loop (interval); or when the OS decides (never).",
    }),
    fsyncIntervalMs: Type.Integer({ default: 1_000, minimum: 10, maximum: 60_000 }),
    retryIntervalMs: Type.Integer({
      default: 2_000,
      minimum: 10,
      maximum: 600_000,
      description:
        'While the database is away, try it this often; while a share or block journal cannot be written (a full disk), probe or write it again this often.',
    }),
    rollupFoldSeconds: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 3_600,
      description:
        'Stored batches append rollup increments; they are folded into the minute and hour rollups this often.',
    }),
  },
  { default: {} },
);
