/**
 * cgminer's reply envelope as every reader expects it: upper-case sections (`STATUS`,
 * `SUMMARY`, `DEVS`, …) and a STATUS entry keyed `STATUS`, `When`, `Code`, `Msg`,
 * `Description`. Some firmware writes the sections in lower case (`"status"`,
 * `"summary"`), and an Avalon asked one command answers in the multi-command shape,
 * the reply wrapped under the command's name (`{"summary":[{"STATUS":…,"SUMMARY":…}]}`).
 * Put right here, once, so that no driver reads such a reply as "no hashrate".
 */

type Body = Record<string, unknown>;

const STATUS_FIELDS: Readonly<Record<string, string>> = {
  status: 'STATUS',
  when: 'When',
  code: 'Code',
  msg: 'Msg',
  description: 'Description',
};

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasStatus(body: Body): boolean {
  return Object.keys(body).some((key) => key.toUpperCase() === 'STATUS');
}

/** The single reply a multi-command wrapper holds for `command`, if the body is one. */
function unwrapped(body: Body, command: string): Body | undefined {
  if (hasStatus(body) || command.includes('+')) {
    return undefined;
  }
  const key = Object.keys(body).find((name) => name.toLowerCase() === command.toLowerCase());
  const inner: unknown = key === undefined ? undefined : body[key];
  const entry: unknown = Array.isArray(inner) ? (inner.length === 1 ? inner[0] : undefined) : inner;
  return isObject(entry) && hasStatus(entry) ? entry : undefined;
}

function statusEntry(entry: unknown): unknown {
  if (!isObject(entry)) {
    return entry;
  }
  const fixed: Body = {};
  for (const [key, value] of Object.entries(entry)) {
    const canonical = STATUS_FIELDS[key];
    fixed[canonical !== undefined && !(canonical in entry) ? canonical : key] = value;
  }
  return fixed;
}

/**
 * The reply to `command` in cgminer's own spelling. Only section keys written wholly in
 * lower case whose value is an array or object are renamed (the `id` number and a
 * Whatsminer `enc` string stay as sent), and never over a key the reply already has.
 */
export function canonicalReply(body: Body, command: string): Body {
  const source = unwrapped(body, command) ?? body;
  const fixed: Body = {};
  for (const [key, value] of Object.entries(source)) {
    const upper = key.toUpperCase();
    const section =
      key !== upper &&
      key === key.toLowerCase() &&
      typeof value === 'object' &&
      value !== null &&
      !(upper in source);
    fixed[section ? upper : key] = value;
  }
  const status = fixed.STATUS;
  if (Array.isArray(status)) {
    fixed.STATUS = status.map(statusEntry);
  } else if (typeof status === 'string') {
    // Whatsminer's flat envelope: the STATUS fields sit beside the sections.
    return statusEntry(fixed) as Body;
  }
  return fixed;
}
