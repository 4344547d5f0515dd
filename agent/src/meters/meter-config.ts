import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';

export const METER_PROTOCOLS = ['modbus', 'mercury230', 'iec62056-21', 'dlms'] as const;

/** IANA's port for DLMS/COSEM over TCP (IEC 62056-47), taken when a dlms entry names none. */
const DLMS_PORT = 4059;

const RegisterSpec = Type.Object(
  {
    register: Type.Integer({ minimum: 0, maximum: 65_535 }),
    kind: Type.Enum(['input', 'holding']),
    type: Type.Enum(['float32', 'int32', 'uint32', 'int16', 'uint16']),
    scale: Type.Number({ default: 1, exclusiveMinimum: 0 }),
    wordOrder: Type.Enum(['high-first', 'low-first'], { default: 'high-first' }),
  },
  { additionalProperties: false },
);

/** One meter of the agent's configuration (`meters[]`). */
export const MeterEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    serial: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "The serial on the meter's nameplate, as registered with the utility: reports name the meter by it.",
      }),
    ),
    protocol: Type.Enum(METER_PROTOCOLS, {
      default: 'modbus',
      description:
        'modbus: Modbus TCP; mercury230: Incotex Mercury 230/234 through a transparent TCP gateway; iec62056-21: mode C readout through a transparent TCP gateway; dlms: DLMS/COSEM over TCP (IEC 62056-47 wrapper).',
    }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({
      default: 502,
      minimum: 1,
      maximum: 65_535,
      description:
        "502 for Modbus TCP, 4059 for dlms when not given; for the others the gateway's port, which must be given.",
    }),
    model: Type.Optional(Type.Enum(['sdm630', 'pm5xxx', 'generic'], { description: 'modbus only.' })),
    unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    registerBase: Type.Integer({ default: 0, minimum: 0, maximum: 1 }),
    registers: Type.Optional(
      Type.Object({ powerW: RegisterSpec, energyWh: RegisterSpec }, { additionalProperties: false }),
    ),
    address: Type.Optional(
      Type.Union([Type.Integer(), Type.String({ maxLength: 32 })], {
        description:
          'mercury230: the network address, 1–254 (0: broadcast, one meter on the line); iec62056-21: the device address in /?…! (letters, digits, spaces; empty: any).',
      }),
    ),
    clientAddress: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 0x7f,
        description:
          "dlms: the client SAP (the wrapper's source wPort) the meter's association with this password is set for; default 16, the public client, which takes no password.",
      }),
    ),
    logicalDevice: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 0x3fff,
        description:
          'dlms: the server SAP (destination wPort; over HDLC the upper HDLC address); default 1, the management logical device.',
      }),
    ),
    transport: Type.Optional(
      Type.Enum(['wrapper', 'hdlc'], {
        description:
          "dlms: wrapper, the IEC 62056-47 TCP wrapper (the default; the meter's own TCP module or a gateway that terminates the wrapper); hdlc, HDLC frames (IEC 62056-46) through a gateway that passes the meter's RS-485 or optical line as it is.",
      }),
    ),
    physicalAddress: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 0x3fff,
        description:
          "dlms over hdlc: the lower HDLC address, the meter's physical address on the line (often derived from its serial); none: a one-byte server address, the upper address alone.",
      }),
    ),
    serverAddressBytes: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(4)], {
        description:
          'dlms over hdlc: the size of the server address the meter expects, 1, 2 or 4 bytes; default 1 without a physicalAddress, else 2 when both addresses fit in 7 bits, else 4.',
      }),
    ),
    accessLevel: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2,
        description: 'mercury230: 1 user (reads), 2 administrator.',
      }),
    ),
    password: Type.Optional(
      Type.String({
        writeOnly: true,
        description:
          "mercury230: the channel password, 6 characters (default the access level's factory password, 111111 or 222222); dlms: the low level security (LLS) password, 1–32 printable ASCII characters (none: no authentication).",
      }),
    ),
    passwordFile: Type.Optional(
      Type.String({ minLength: 1, description: 'A file holding the password (first line).' }),
    ),
    passwordEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        description: 'An environment variable holding the password.',
      }),
    ),
    passwordEncoding: Type.Optional(
      Type.Enum(['digits', 'ascii'], {
        description:
          "mercury230: digits sends each digit as its value (1 → 0x01, the meters' default); ascii sends the characters (1 → 0x31).",
      }),
    ),
    tariffs: Type.Optional(
      Type.Record(Type.String({ pattern: '^[1-9]$' }), Type.String({ minLength: 1, maxLength: 40 }), {
        description:
          'Tariff registers to keep and their names, e.g. {"1": "day", "2": "night"}; default every tariff, named T1, T2…',
      }),
    ),
    transformerRatio: Type.Number({
      default: 1,
      exclusiveMinimum: 0,
      description:
        'mercury230, iec62056-21, dlms: the current times voltage transformer ratio, for meters that count on the secondary side.',
    }),
    baudRateCharacter: Type.Optional(
      Type.String({
        pattern: '^[0-6]$',
        description:
          "iec62056-21: the rate the acknowledgement asks for (0 300 Bd … 6 19200 Bd); default the meter's offer. A gateway fixed at 300 Bd needs 0, so the meter stays at the sign-on speed.",
      }),
    ),
    parityInBytes: Type.Optional(
      Type.Boolean({
        description:
          "iec62056-21: true when the gateway's serial port is 8N1 rather than the meter's 7E1: the agent then sets and checks the parity bit itself.",
      }),
    ),
    units: Type.Optional(
      Type.Object(
        {
          energy: Type.Optional(Type.Enum(['kWh', 'Wh'])),
          power: Type.Optional(Type.Enum(['kW', 'W'])),
        },
        {
          additionalProperties: false,
          description: 'iec62056-21: the units of values the meter sends without one.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MeterEntry = Static<typeof MeterEntrySchema>;

/** The settings each protocol reads; any other in a meter's entry is a mistake. */
const SETTINGS_OF: Readonly<Record<MeterEntry['protocol'], readonly string[]>> = {
  modbus: ['model', 'unitId', 'registers'],
  mercury230: [
    'address',
    'accessLevel',
    'password',
    'passwordFile',
    'passwordEnv',
    'passwordEncoding',
    'tariffs',
  ],
  'iec62056-21': ['address', 'tariffs', 'units', 'parityInBytes', 'baudRateCharacter'],
  dlms: [
    'clientAddress',
    'logicalDevice',
    'transport',
    'physicalAddress',
    'serverAddressBytes',
    'password',
    'passwordFile',
    'passwordEnv',
    'tariffs',
  ],
};
const PROTOCOL_SETTINGS = new Set(Object.values(SETTINGS_OF).flat());

/**
 * Checks each meter's settings against its protocol, and reads a Mercury password from
 * the file or environment variable its entry names into `password` (so the agent never
 * looks again, and the value is never shown: config errors hide every `password`).
 */
export function checkMeters(
  meters: MeterEntry[],
  portGiven: readonly boolean[],
  environment: Readonly<Record<string, string | undefined>>,
): string[] {
  const problems: string[] = [];
  meters.forEach((meter, i) => {
    const key = (name: string): string => `meters.${String(i)}.${name}`;
    const allowed = SETTINGS_OF[meter.protocol];
    for (const name of Object.keys(meter)) {
      if (PROTOCOL_SETTINGS.has(name) && !allowed.includes(name)) {
        problems.push(`${key(name)}: not a setting of ${meter.protocol} meters`);
      }
    }
    if (meter.protocol === 'dlms' && meter.transport !== 'hdlc' && portGiven[i] !== true) {
      meter.port = DLMS_PORT;
    } else if (meter.protocol !== 'modbus' && portGiven[i] !== true) {
      problems.push(`${key('port')}: missing; give the TCP port of the meter's gateway`);
    }
    switch (meter.protocol) {
      case 'modbus':
        if (meter.model === undefined) {
          problems.push(`${key('model')}: missing; one of sdm630, pm5xxx, generic`);
        } else if (meter.model === 'generic' && !meter.registers) {
          problems.push(`${key('registers')}: a generic meter needs registers.powerW and registers.energyWh`);
        }
        break;
      case 'mercury230':
        problems.push(...checkMercury(meter, key, environment));
        break;
      case 'dlms':
        problems.push(
          ...checkPassword(meter, key, environment, /^[\x20-\x7e]{1,32}$/, '1–32 printable ASCII characters'),
        );
        if (meter.clientAddress === undefined && meter.password !== undefined) {
          problems.push(
            `${key('clientAddress')}: missing; a password is for the client SAP the meter's low level security association is set for (the public client, 16, takes none)`,
          );
        }
        problems.push(...checkHdlcAddress(meter, key));
        break;
      case 'iec62056-21':
        if (typeof meter.address === 'number') {
          problems.push(
            `${key('address')}: ${String(meter.address)} must be a string (the device address in /?…!)`,
          );
        } else if (meter.address !== undefined && !/^[0-9A-Za-z ]*$/.test(meter.address)) {
          problems.push(
            `${key('address')}: ${JSON.stringify(meter.address)} may hold only letters, digits and spaces`,
          );
        }
        break;
    }
  });
  return problems;
}

/** The HDLC settings belong to the HDLC transport, and the address must fit the size it is sent in. */
function checkHdlcAddress(meter: MeterEntry, key: (name: string) => string): string[] {
  if (meter.transport !== 'hdlc') {
    return (['physicalAddress', 'serverAddressBytes'] as const)
      .filter((name) => meter[name] !== undefined)
      .map((name) => `${key(name)}: only for transport hdlc`);
  }
  const bytes = meter.serverAddressBytes;
  if (bytes === 1 && meter.physicalAddress !== undefined) {
    return [`${key('physicalAddress')}: a one-byte server address carries no physical address`];
  }
  const upperLimit = bytes === 4 ? 0x3fff : 0x7f;
  if ((meter.logicalDevice ?? 1) > upperLimit) {
    return [
      `${key('logicalDevice')}: over ${String(upperLimit)}, the most a ${String(bytes ?? 1)}-byte server address holds`,
    ];
  }
  if (bytes === 2 && (meter.physicalAddress ?? 0) > 0x7f) {
    return [`${key('physicalAddress')}: over 127, the most a 2-byte server address holds`];
  }
  return [];
}

/** The server address size an HDLC entry implies when it does not give one. */
export function serverAddressBytes(meter: MeterEntry): 1 | 2 | 4 {
  if (meter.serverAddressBytes !== undefined) {
    return meter.serverAddressBytes;
  }
  if (meter.physicalAddress === undefined) {
    return 1;
  }
  return (meter.logicalDevice ?? 1) <= 0x7f && meter.physicalAddress <= 0x7f ? 2 : 4;
}

function checkMercury(
  meter: MeterEntry,
  key: (name: string) => string,
  environment: Readonly<Record<string, string | undefined>>,
): string[] {
  const problems: string[] = [];
  if (typeof meter.address !== 'number' || meter.address < 0 || meter.address > 254) {
    problems.push(
      `${key('address')}: ${meter.address === undefined ? 'missing' : JSON.stringify(meter.address)}; the meter's network address, 1–254 (0: broadcast)`,
    );
  }
  for (const tariff of Object.keys(meter.tariffs ?? {})) {
    if (Number(tariff) > 4) {
      problems.push(`${key(`tariffs.${tariff}`)}: a Mercury 230 has tariffs 1–4`);
    }
  }
  const digits = meter.passwordEncoding !== 'ascii';
  problems.push(
    ...checkPassword(
      meter,
      key,
      environment,
      digits ? /^\d{6}$/ : /^[\x20-\x7e]{6}$/,
      digits ? '6 digits' : '6 printable ASCII characters',
    ),
  );
  return problems;
}

/**
 * Reads the password from the one place the entry names (`password`, `passwordFile` or
 * `passwordEnv`) into `password`, and checks it against the protocol's rule.
 */
function checkPassword(
  meter: MeterEntry,
  key: (name: string) => string,
  environment: Readonly<Record<string, string | undefined>>,
  rule: RegExp,
  ruleText: string,
): string[] {
  const sources = (['password', 'passwordFile', 'passwordEnv'] as const).filter(
    (name) => meter[name] !== undefined,
  );
  if (sources.length > 1) {
    return [`${key(sources.join(', '))}: give the password one way only`];
  }
  let password = meter.password;
  if (meter.passwordFile !== undefined) {
    try {
      password = readFileSync(meter.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (error) {
      return [`${key('passwordFile')}: ${error instanceof Error ? error.message : String(error)}`];
    }
  } else if (meter.passwordEnv !== undefined) {
    password = environment[meter.passwordEnv];
    if (password === undefined) {
      return [`${key('passwordEnv')}: the environment variable ${meter.passwordEnv} is not set`];
    }
  }
  if (password !== undefined) {
    if (!rule.test(password)) {
      // The value is a secret: the rule is said, the value is not.
      return [`${key('password')}: (the value given, not shown) must be ${ruleText}`];
    }
    meter.password = password;
  }
  return [];
}

/** The 6 password bytes a Mercury channel is opened with; the factory default of the level when none is set. */
export function mercuryPassword(meter: MeterEntry): Uint8Array {
  const level = meter.accessLevel === 2 ? 2 : 1;
  const password = meter.password ?? String(level).repeat(6);
  return meter.passwordEncoding === 'ascii'
    ? Buffer.from(password, 'latin1')
    : Uint8Array.from(password, (digit) => Number(digit));
}
