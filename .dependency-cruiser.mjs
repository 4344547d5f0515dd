/**
 * The one-way arrows of DESIGN.md ("The parts"), checked by dependency-cruiser as part of
 * `pnpm lint` (through scripts/check-imports.mjs: the CLI of 18.x refuses Node 20). Each
 * folder of pool-server/src may import only what sits below it; events that cross an arrow
 * the wrong way go through small interfaces wired in roles/.
 *
 * Exemptions, each marked where it is made: test files beside the code (`*.test.ts`) keep
 * their folder's rules but may use dev/ (the devchain as their node); pool-server/test/ and
 * bench/ assemble the whole pool and have no folder rules; dashboard/test, dashboard/bench
 * and agent/bench may reach into the pool.
 *
 * no-circular allows no cycle, not even one closed by `import type` alone: the compiler
 * erases that one, but its two modules still cannot be read or tested apart. Types both
 * sides need live in a module that imports neither.
 */

const src = 'pool-server/src';

/** pool-server/src/<folder>/ as a path pattern; a single file for the top-level modules. */
function within(...folders) {
  return `^${src}/(${folders.join('|')})(/|$)`;
}

/**
 * What each domain folder of pool-server/src must never import, with the reason shown on a
 * violation. roles/, cli/, main.ts and dev/ have rules of their own below, for every folder.
 */
const arrows = [
  {
    name: 'work-is-pure',
    from: 'work',
    comment: 'work/ is pure and benchmarked on its own: it imports nothing else of src/',
    to: { path: `^${src}/`, pathNot: within('work') },
  },
  {
    name: 'stratum-below-ledger',
    from: 'stratum',
    comment: 'stratum/ hands shares and blocks on through interfaces the roles pass in',
    to: { path: within('ledger', 'db', 'api', 'farms', 'accounts', 'alerts') },
  },
  {
    name: 'chain-below-ledger',
    from: 'chain',
    comment: 'chain/ only submits a block and reports the outcome; the ledger records it',
    to: { path: within('stratum', 'ledger', 'api', 'farms', 'accounts', 'alerts') },
  },
  {
    name: 'ledger-below-farms',
    from: 'ledger',
    comment: 'ledger/ sits below the domains that read it and never reaches up into Stratum',
    to: { path: within('api', 'farms', 'accounts', 'stratum', 'alerts') },
  },
  {
    name: 'farms-below-api',
    from: 'farms',
    comment: 'farms/ is a domain: it is called by the API and reads the chain only through its types',
    to: {
      path: within('api', 'stratum', 'chain', 'alerts'),
      pathNot: within('chain/rpc-types\\.ts'),
    },
  },
  {
    name: 'accounts-below-api',
    from: 'accounts',
    comment: 'accounts/ is a domain the API calls; it knows nothing of HTTP or farms',
    to: { path: within('api', 'farms', 'alerts') },
  },
  {
    name: 'alerts-above-domains',
    from: 'alerts',
    comment:
      'alerts/ reads facts through the domains (accounts, farms, ledger) and is called by the API and the roles; it never reaches into HTTP, Stratum or the chain',
    to: { path: within('api', 'stratum', 'chain') },
  },
  {
    name: 'db-is-storage',
    from: 'db',
    comment: 'db/ is the pg pool and migrations: it knows no domain',
    to: { path: `^${src}/`, pathNot: within('db', 'config\\.ts', 'errors\\.ts', 'data-dir\\.ts') },
  },
  {
    name: 'shared-modules-are-leaves',
    from: 'config\\.ts|config|errors\\.ts|data-dir\\.ts|csv-cells\\.ts',
    comment:
      'config.ts (with its sections in config/), errors.ts, data-dir.ts and csv-cells.ts are read by every folder; they import only work/',
    to: {
      path: `^${src}/`,
      pathNot: within('work', 'config\\.ts', 'config', 'errors\\.ts', 'data-dir\\.ts', 'csv-cells\\.ts'),
    },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle: two modules that cannot be read, tested or loaded apart',
      from: { path: '^(schemas|pool-server|agent|dashboard)/src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that does not resolve (for a workspace package: not one of its public entries)',
      from: {},
      to: { couldNotResolve: true },
    },
    ...arrows.map(({ name, from, comment, to }) => ({
      name,
      severity: 'error',
      comment,
      from: { path: within(from) },
      to,
    })),
    {
      name: 'no-domain-imports-roles',
      severity: 'error',
      comment: 'roles/ and cli/ assemble the domains; no domain imports them back',
      from: { path: `^${src}/`, pathNot: within('roles', 'cli', 'main\\.ts') },
      to: { path: within('roles', 'cli', 'main\\.ts') },
    },
    {
      name: 'roles-not-to-cli',
      severity: 'error',
      comment: 'cli/ commands sit on the roles (roles/storage.ts); the roles never call a command',
      from: { path: within('roles') },
      to: { path: within('cli') },
    },
    {
      name: 'dev-loaded-only-when-configured',
      severity: 'error',
      comment:
        'dev/ (devchain, demo farm) is loaded by a dynamic import() from roles/ or cli/ only when configured; production never loads it',
      // Tests beside the code may use the devchain as their node, as pool-server/test does.
      from: { path: `^${src}/`, pathNot: [within('dev'), '\\.test\\.ts$'] },
      to: { path: within('dev'), dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'dev-only-from-roles',
      severity: 'error',
      comment: 'only roles/, cli/ and main.ts decide to load dev/',
      from: { path: `^${src}/`, pathNot: [within('dev', 'roles', 'cli', 'main\\.ts'), '\\.test\\.ts$'] },
      to: { path: within('dev') },
    },
    {
      name: 'dashboard-not-to-server',
      severity: 'error',
      comment: 'the dashboard talks to the pool over HTTP, with types from @hashwatt/schemas',
      // dashboard/test and dashboard/bench start a real pool to test against: exempt.
      from: { path: '^dashboard/src/' },
      to: { path: '^(pool-server|agent)/' },
    },
    {
      name: 'agent-public-entries-only',
      severity: 'error',
      comment:
        "the pool uses the agent through @hashwatt/agent, /emulators and /testing, never the agent's files",
      from: { path: '^pool-server/' },
      to: {
        path: '^agent/',
        pathNot: '^agent/src/(index|testing|emulators/index)\\.ts$',
      },
    },
    {
      name: 'agent-not-to-server',
      severity: 'error',
      comment: 'the agent runs at a farm: it speaks to the pool over HTTPS, never imports it',
      // agent/bench shares the pool's benchmark stamp (run-info): exempt.
      from: { path: '^agent/(src|bin)/' },
      to: { path: '^(pool-server|dashboard)/' },
    },
    {
      name: 'schemas-are-the-leaf',
      severity: 'error',
      comment: '@hashwatt/schemas is the contract every part depends on; it depends on none of them',
      from: { path: '^schemas/' },
      to: { path: '^(pool-server|agent|dashboard)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|build|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@hashwatt/source', 'import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
