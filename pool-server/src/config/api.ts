import Type from 'typebox';

/** The HTTP API and the first admin account. Sections of ConfigSchema (config.ts). */

export const ApiSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Serve the HTTP API (and, later, the dashboard).',
    }),
    host: Type.String({
      default: '127.0.0.1',
      description: 'The API listens here: loopback unless a TLS proxy is in front.',
    }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
    secureCookies: Type.Boolean({
      default: true,
      description: 'Session cookies over HTTPS only (browsers treat http://localhost as secure).',
    }),
    sessionHours: Type.Integer({
      default: 12,
      minimum: 1,
      maximum: 720,
      description: 'A session ends this long after sign-in, used or not.',
    }),
    sessionIdleMinutes: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 1_440,
      description: 'A session unused for this long ends (its last use is recorded at most once a minute).',
    }),
    loginPerMinute: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 1_000,
      description: 'Sign-in attempts per client address and minute.',
    }),
    signInAccountFailures: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 100,
      description:
        "Wrong passwords for one account, from addresses it has not signed in from lately, before each further attempt waits (doubling up to api.signInAccountMaxDelaySeconds). There is no lock: from an address it signed in from lately, the account's own user is never made to wait by others' failures.",
    }),
    signInAddressFailures: Type.Integer({
      default: 20,
      minimum: 1,
      maximum: 1_000,
      description:
        'Wrong passwords from one client address, for any accounts, before each further attempt from it waits (doubling up to api.signInAddressMaxDelaySeconds).',
    }),
    signInFirstDelaySeconds: Type.Integer({
      default: 1,
      minimum: 1,
      maximum: 3_600,
      description:
        'The first wait once a sign-in gate has had its free failures; each further failure doubles it.',
    }),
    signInAccountMaxDelaySeconds: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 3_600,
      description:
        "The longest wait the account's gate imposes: how long a stranger's failures can keep the real user, at a new address, from trying.",
    }),
    signInAddressMaxDelaySeconds: Type.Integer({
      default: 900,
      minimum: 1,
      maximum: 86_400,
      description: "The longest wait an address's gate imposes on the address that failed.",
    }),
    signInKnownAddressDays: Type.Integer({
      default: 90,
      minimum: 1,
      maximum: 3_650,
      description: "An address a user signed in from within this many days skips the account's gate.",
    }),
    trustProxy: Type.Array(Type.String(), {
      default: [],
      description: 'Reverse proxies whose X-Forwarded-For is believed.',
    }),
    dashboardDir: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The dashboard's build, served at /. Unset: dashboard/dist of this checkout when it has been built.",
      }),
    ),
    liveIntervalSeconds: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 300,
      description: 'Live updates (Server-Sent Events) are sent this often.',
    }),
    bodyLimitBytes: Type.Integer({
      default: 64 * 1024,
      minimum: 1_024,
      maximum: 16 * 1024 * 1024,
      description:
        'Largest request body (bytes) of a route that sets none of its own: sign-in and every form the dashboard sends. A larger one is refused with 413 before it is read.',
    }),
    agentBodyLimitBytes: Type.Integer({
      default: 4 * 1024 * 1024,
      minimum: 64 * 1024,
      maximum: 64 * 1024 * 1024,
      description:
        "Largest telemetry batch (bytes) an agent may post; agents split bigger batches below it. Each batch in flight is held and parsed whole, so keep it a few MiB: it bounds the API's memory under hostile or broken agents.",
    }),
    agentRequestsPerMinute: Type.Integer({
      default: 120,
      minimum: 1,
      maximum: 100_000,
      description:
        'Requests per farm API key and minute on each agent route; past it, 429 with Retry-After. An agent posts a batch per poll and asks for commands every few seconds; one catching up after an outage waits for Retry-After.',
    }),
    requestsPerMinute: Type.Integer({
      default: 600,
      minimum: 1,
      maximum: 1_000_000,
      description:
        'Requests per client address and minute on the other API routes (sign-in and report issuing have their own limits); past it, 429 with Retry-After. Sized for several dashboards behind one address: a page polls each figure once a minute and holds one live stream.',
    }),
  },
  { default: {} },
);

export const AdminSettings = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        format: 'email',
        description: 'With admin.password: the first admin, created at start when there is none.',
      }),
    ),
    password: Type.Optional(
      Type.String({
        minLength: 12,
        maxLength: 1_024,
        writeOnly: true,
        description: 'Never logged; only its hash is stored.',
      }),
    ),
  },
  { default: {} },
);
