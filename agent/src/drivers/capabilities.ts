import type { CommandSupport, DeviceAction, MinerSample } from '@hashwatt/schemas';
import { SLEEP_LEVEL } from './goldshell-web.ts';

/**
 * What each driver can carry out on a device, declared per firmware (and per model or
 * setup where it matters), so the dashboard offers an operator the writes the firmware
 * allows and says why the others are not there. An action left undeclared is unknown
 * (the dashboard offers it and says so): a guess would hide a write the device may have.
 * The notes say what the driver's `act` does on the action (each driver's file cites
 * where the firmware's calls come from).
 */

type Reason = NonNullable<CommandSupport['reason']>;
type Declared = Partial<Record<DeviceAction, true | { readonly reason: Reason; readonly note: string }>>;

const ACTIONS: readonly DeviceAction[] = [
  'sleep',
  'resume',
  'reboot',
  'set-power-target',
  'set-fan',
  'switch-pool',
];

/** The declared actions as a sample carries them, in a fixed order. */
export function supportList(declared: Declared): CommandSupport[] {
  return ACTIONS.flatMap((action): CommandSupport[] => {
    const support = declared[action];
    if (support === undefined) {
      return [];
    }
    return [support === true ? { action, supported: true } : { action, supported: false, ...support }];
  });
}

/** `actions` supported; every other action not, for `reason`. */
function only(actions: readonly DeviceAction[], reason: Reason, note: string): Declared {
  return Object.fromEntries(
    ACTIONS.map((action) => [action, actions.includes(action) ? true : { reason, note }]),
  );
}

const EVERY = only([...ACTIONS], 'agent', '');

const none = (firmware: string): Declared =>
  only([], 'agent', `the agent carries out no commands on ${firmware} yet`);

/**
 * Goldshell sleeps by selecting its power plan of level 3: a miner whose `/mcb/setting`
 * lists none cannot. Undefined plans (the setting unread) leave sleep unknown.
 */
export function goldshellSupport(planLevels: readonly number[] | undefined): CommandSupport[] {
  const declared = only(
    ['sleep', 'resume', 'reboot', 'switch-pool'],
    'firmware',
    'Goldshell documents no power target and no fan control',
  );
  if (planLevels === undefined) {
    delete declared.sleep;
  } else if (!planLevels.includes(SLEEP_LEVEL)) {
    declared.sleep = {
      reason: 'setting',
      note: `its /mcb/setting lists no sleep power plan (level 3; it has ${planLevels.join(', ') || 'none'})`,
    };
  }
  return supportList(declared);
}

const STOCK_ANTMINER = only(
  ['sleep', 'resume', 'reboot', 'set-fan', 'switch-pool'],
  'firmware',
  'stock Antminer firmware has no power target; only sleep, normal or low-power modes',
);

/** By driver name: what it declares of a sample it read. */
const DECLARED: Readonly<Record<string, (sample: MinerSample) => Declared>> = {
  antminer: (sample) =>
    sample.identity.firmware === 'vnish'
      ? EVERY
      : sample.identity.firmware === 'stock'
        ? STOCK_ANTMINER
        : // Hiveon and the other forks on this port: whether they keep the stock CGI is not known.
          {},
  auradine: () => none('Auradine'),
  avalon: () =>
    only(
      ['sleep', 'resume', 'reboot'],
      'agent',
      'the agent carries out only softoff, softon and reboot on Avalon',
    ),
  axeos: () => ({
    ...only(['sleep', 'resume', 'reboot'], 'agent', 'the agent does not set AxeOS fans or pools yet'),
    'set-power-target': { reason: 'firmware', note: 'AxeOS has no power target' },
  }),
  'braiins-rest': () => EVERY,
  'braiins-rpc': () => ({
    ...only(
      ['sleep', 'resume'],
      'api',
      'port 4028 of Braiins OS only pauses and resumes: read it with braiins-rest (25.07 on) for the rest',
    ),
    'switch-pool': {
      reason: 'api',
      note: "Braiins OS's port 4028 pool commands neither activate a pool nor survive a restart: read it with braiins-rest (25.07 on) to switch pools",
    },
  }),
  elphapex: () =>
    only(
      ['reboot', 'switch-pool'],
      'agent',
      "Elphapex's work modes are not documented: the agent only reboots it and switches its pool",
    ),
  epic: () =>
    only(
      ['sleep', 'resume', 'reboot', 'switch-pool'],
      'agent',
      'the agent does not set ePIC power or fans yet',
    ),
  cgminer: () => none('a generic cgminer'),
  gminer: () => none('GMiner'),
  innosilicon: () =>
    only(['reboot', 'switch-pool'], 'agent', 'the agent only reboots Innosilicon and switches its pool'),
  lolminer: () => none('lolMiner'),
  luxos: () => EVERY,
  nbminer: () => none('NBMiner'),
  teamredminer: () => none('TeamRedMiner'),
  trex: () => none('T-Rex'),
  whatsminer: () => ({
    ...EVERY,
    'set-fan': {
      reason: 'firmware',
      note: 'Whatsminer API v2 has no fan command: btminer drives its fans itself',
    },
  }),
  'whatsminer-v3': () =>
    only(
      ['sleep', 'resume', 'reboot', 'set-power-target'],
      'agent',
      'the agent does not set Whatsminer API v3 fans or pools yet',
    ),
  xmrig: () => only(['sleep', 'resume'], 'agent', 'XMRig is only paused and resumed'),
};

/**
 * The sample with its driver's declarations: those the driver read itself (Goldshell's
 * power plans) stand; an unreachable device declares nothing (the pool keeps what it
 * declared before); a driver missing from the table declares nothing (unknown).
 */
export function withCommands(driver: string, sample: MinerSample): MinerSample {
  if (sample.commands !== undefined || sample.state === 'unreachable') {
    return sample;
  }
  const declare = DECLARED[driver];
  return declare === undefined ? sample : { ...sample, commands: supportList(declare(sample)) };
}
