/**
 * The `hashwatt` command line: its commands, how each is called, the help each prints
 * for --help, and the dispatch to the command's module, loaded only when it runs. This
 * file imports nothing of the application, so that `--help` costs no more than itself.
 */
import type { Logger } from 'pino';
import type { CommandContext, CommandRun } from './context.ts';

export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly details: string;
  /** The command's module, imported only when the command runs; the pool runs from main.ts. */
  readonly load?: () => Promise<CommandRun>;
}

const CONFIG = `  --config FILE   a JSON configuration file (or HASHWATT_CONFIG); HASHWATT_* variables
                  override it. Every setting: docs/config.md.`;

export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'pool',
    summary: 'run the pool: Stratum, the API and the dashboard (the default command)',
    usage: 'hashwatt [pool] [--config FILE]',
    details: `With no configuration it runs on its embedded defaults: the devchain, an embedded
PostgreSQL under ./data and the dashboard. Ctrl-C (SIGINT) or SIGTERM stops it cleanly:
miners are asked to reconnect, queued shares are written, the database shuts down.
Scaled out, each process takes some of the roles stratum, writer and api
(HASHWATT_ROLES), joined by NATS JetStream (HASHWATT_NATS_URL): README, "Scaling out".
${CONFIG}`,
  },
  {
    name: 'agent',
    summary: "run a farm's agent: hashwatt agent scan | run (see hashwatt agent --help)",
    usage: 'hashwatt agent <scan|run> [--config agent.json] [--range CIDR ...]',
    details: 'The farm agent, as hashwatt-agent runs it; agent/README.md describes its configuration.',
  },
  {
    name: 'migrate',
    load: async () => (await import('./migrate.ts')).run,
    summary: 'bring the database schema up to date, then exit',
    usage: 'hashwatt migrate [--config FILE]',
    details: CONFIG,
  },
  {
    name: 'user add',
    load: async () => (await import('./user.ts')).run,
    summary: 'add a user; the password is read from standard input',
    usage:
      'hashwatt user add --email E --role admin|operator|regulator [--name N] [--organisation ID] [--country CC --region CC-R ...]',
    details: `An operator belongs to an organisation; a regulator to a country, optionally some of its regions.
${CONFIG}`,
  },
  {
    name: 'account register',
    load: async () => (await import('./account.ts')).run,
    summary: 'register a named account miners may use instead of an address, and where it is paid',
    usage: 'hashwatt account register --name NAME --address ADDRESS [--config FILE]',
    details: `Miners then connect as NAME.worker; the pool's payouts for NAME go to ADDRESS, an address of
the pool's chain. Registering a name again moves its payouts. Stratum processes see it within a minute.
${CONFIG}`,
  },
  {
    name: 'apikey create',
    load: async () => (await import('./apikey.ts')).run,
    summary: "make a farm agent's API key and print it (only its hash is kept)",
    usage: 'hashwatt apikey create --farm ID --label TEXT [--config FILE]',
    details: `The key is printed once, on standard output; give it to the farm's agent as api.key.
${CONFIG}`,
  },
  {
    name: 'report generate',
    load: async () => (await import('./report-generate.ts')).run,
    summary: 'issue a regulator report (signed, stored) and write its file',
    usage:
      'hashwatt report generate (--farm ID | --country CC [--region CC-R ...]) [--month YYYY-MM [--calendar gregorian|persian]] --language en|fa|ru --format pdf|csv|json --as EMAIL --out FILE',
    details: `--as names the user it is issued for (kept with the report). The month is counted as the
jurisdiction counts it: an Iranian farm's in the Solar Hijri calendar from Tehran midnight (1405-09 is
Azar 1405), a Russian farm's in Moscow time, others in the farm's own zone; the last whole month by default.
${CONFIG}`,
  },
  {
    name: 'report verify',
    load: async () => (await import('./report-verify.ts')).run,
    summary: 'check a report file against the pool that issued it, or offline',
    usage:
      'hashwatt report verify FILE [--server URL] [--fingerprint HEX | --public-key BASE64 [--signature BASE64]]',
    details: `Exit 0: issued by that pool, signed by a key of its key registry valid when it was issued,
and the signature holds; 1: not; 2: it could not tell. --server defaults to the configured API address.
--fingerprint (the SHA-256 printed on the report, pinned beforehand) or --public-key checks against that key
only. With --public-key and --signature it needs no pool.`,
  },
  {
    name: 'report key show',
    load: async () => (await import('./report-key.ts')).show,
    summary: "print the pool's current report signing key: its fingerprint and public key",
    usage: 'hashwatt report key show [--config FILE]',
    details: CONFIG,
  },
  {
    name: 'report key rotate',
    load: async () => (await import('./report-key.ts')).rotate,
    summary: 'make a new report signing key, retire the current one; old reports keep verifying',
    usage: 'hashwatt report key rotate [--config FILE]',
    details: `Writes a new key to reports.signingKeyFile (the old file is kept beside it, mode 0600),
closes the old key's validity in the key registry and registers the new one. Restart the pool afterwards.
Also the way out when the key file is lost: reports it signed still verify against the registry.
${CONFIG}`,
  },
  {
    name: 'alerts key rotate',
    load: async () => (await import('./alerts-key.ts')).rotate,
    summary: "make a new alert secret key and seal every subscription's secret under it",
    usage: 'hashwatt alerts key rotate [--config FILE]',
    details: `Writes a new AES-256 key to alerts.secretKeyFile (the old file is kept beside it as .retired-<id>, mode
0600) and seals every webhook secret and bot token again under it, in one transaction. Restart the pool afterwards.
${CONFIG}`,
  },
  {
    name: 'sv2 authority create',
    load: async () => (await import('./sv2-key.ts')).authorityCreate,
    summary: 'make the Stratum V2 authority key miners pin, and print its public key',
    usage: 'hashwatt sv2 authority create [--out FILE] [--config FILE]',
    details: `Writes a new secp256k1 key (PKCS#8 PEM, mode 0600) to --out or sv2Noise.authorityKeyFile and prints its
public key as sv2-spec 4.7 writes it (base58-check), for the pool's website and the miners' configuration. It signs
the pool's certificates only: keep it offline, and name it with --authority-key when you rotate or renew.
${CONFIG}`,
  },
  {
    name: 'sv2 key show',
    load: async () => (await import('./sv2-key.ts')).keyShow,
    summary:
      "print the Stratum V2 authority public key, the pool's static key and its certificate's validity",
    usage: 'hashwatt sv2 key show [--config FILE]',
    details: CONFIG,
  },
  {
    name: 'sv2 key rotate',
    load: async () => (await import('./sv2-key.ts')).keyRotate,
    summary: 'make a new Stratum V2 static key and its certificate; miners keep the same pinned authority',
    usage: 'hashwatt sv2 key rotate [--authority-key FILE] [--days N] [--config FILE]',
    details: `Writes a new key to sv2Noise.staticKeyFile (the old one is kept beside it, mode 0600) and a certificate
signed by the authority key (--authority-key, or sv2Noise.authorityKeyFile) valid for --days (sv2Noise.certificateDays).
Restart the pool afterwards.
${CONFIG}`,
  },
  {
    name: 'sv2 certificate renew',
    load: async () => (await import('./sv2-key.ts')).certificateRenew,
    summary: "issue a new certificate for the pool's Stratum V2 static key, before the current one expires",
    usage: 'hashwatt sv2 certificate renew [--authority-key FILE] [--days N] [--config FILE]',
    details: `Signs the static key in sv2Noise.staticKeyFile again with the authority key, valid from an hour ago for
--days (sv2Noise.certificateDays), and replaces sv2Noise.certificateFile. Restart the pool afterwards.
${CONFIG}`,
  },
  {
    name: 'backup',
    load: async () => (await import('./backup.ts')).run,
    summary: 'back up the database, the report signing keys and the journals into one signed folder',
    usage: 'hashwatt backup --out DIR [--pg-bin DIR] [--config FILE]',
    details: `Makes DIR/hashwatt-backup-<UTC time>/ (0700, files 0600): the database as pg_dump's custom format,
reports.signingKeyFile and its retired keys, the share and block journals and pending found blocks, and a
manifest of each file's SHA-256 signed with the report key. The pool may keep running. pg_dump must be of the
server's major version or newer: the newest found is used (/usr/lib/postgresql/*/bin, PATH), or --pg-bin's.
${CONFIG}`,
  },
  {
    name: 'restore',
    load: async () => (await import('./restore.ts')).run,
    summary: 'restore a backup into an empty database and put its keys and journals back',
    usage:
      'hashwatt restore BACKUP_DIR [--into URL] [--force] [--fingerprint HEX] [--pg-bin DIR] [--config FILE]',
    details: `Checks the manifest's signature and every file's size and SHA-256 first, and changes nothing if one is off.
The backup must be signed by a key in reports.signingKeyFile (or retired beside it), or by --fingerprint's
(printed by backup, on every report and by hashwatt report key show). Restores into the configured database, or
--into URL's; one that is not empty is refused unless --force, which drops and recreates it. Stop the pool first.
${CONFIG}`,
  },
  {
    name: 'config check',
    load: async () => (await import('./config.ts')).run,
    summary: 'validate a configuration and list every problem at once',
    usage: 'hashwatt config check [--config FILE]',
    details: `Exit 0 and a summary when it is valid; exit 2 and one line per problem (key, variable, value, rule) when not.
${CONFIG}`,
  },
];

/** The command named by the arguments, and the arguments after its name. */
export function commandOf(argv: readonly string[]): {
  command: CommandHelp | undefined;
  name: string;
  rest: string[];
} {
  const [first, second, third] = argv;
  if (first === undefined || first.startsWith('--')) {
    return { command: COMMANDS[0], name: 'pool', rest: [...argv] };
  }
  const byThree = COMMANDS.find((command) => command.name === `${first} ${second ?? ''} ${third ?? ''}`);
  if (byThree) {
    return { command: byThree, name: byThree.name, rest: argv.slice(3) };
  }
  const two = `${first} ${second ?? ''}`;
  const byTwo = COMMANDS.find((command) => command.name === two);
  if (byTwo) {
    return { command: byTwo, name: byTwo.name, rest: argv.slice(2) };
  }
  const byOne = COMMANDS.find(
    (command) => command.name === first || (first === 'start' && command.name === 'pool'),
  );
  return { command: byOne, name: byOne?.name ?? first, rest: argv.slice(1) };
}

export function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'usage: hashwatt <command> [options]      (hashwatt <command> --help for one command)',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
  ].join('\n');
}

export function helpOf(command: CommandHelp): string {
  return [`usage: ${command.usage}`, '', command.summary, '', command.details, ''].join('\n');
}

/** The program's context: its own environment, standard input and output. */
export function processContext(
  env: Readonly<Record<string, string | undefined>>,
  adoptLog: (log: Logger) => void,
): CommandContext {
  return { env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, adoptLog };
}

/**
 * Runs the command `argv` names (all but the pool, which main.ts runs), or prints the
 * help asked for; resolves with the exit status.
 */
export async function runCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    context.stdout.write(overview());
    return 0;
  }
  const { command, name, rest } = commandOf(argv);
  if (!command) {
    context.stderr.write(`unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (name === 'agent') {
    // The agent reads its own configuration and prints its own help.
    const agent = await import('@hashwatt/agent');
    return agent.main(rest, context.env);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout.write(helpOf(command));
    return 0;
  }
  if (command.load === undefined) {
    throw new Error(`hashwatt ${name} runs from main.ts, not as a one-shot command`);
  }
  const run = await command.load();
  return run(rest, context);
}
