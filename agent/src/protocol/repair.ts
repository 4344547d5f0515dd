/**
 * Miner firmware sends JSON that JSON.parse refuses: a trailing NUL, `}{` between
 * objects, bare `nan`, raw newlines and bad escapes inside strings, empty values,
 * garbage after the reply, replies cut off when a buffer filled. `parseDeviceJson`
 * repairs exactly those, in one pass that knows whether it is inside a string, and
 * says what it repaired so a sample can carry it as a warning.
 */

export interface Parsed {
  readonly value: unknown;
  /** What had to be repaired; empty for valid JSON. */
  readonly repairs: readonly string[];
}

export class DeviceJsonError extends Error {
  constructor(
    message: string,
    readonly excerpt: string,
  ) {
    super(message);
    this.name = 'DeviceJsonError';
  }
}

const VALID_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);
const NOT_NUMBERS = /^-?(?:nan|inf|infinity)$/i;

export function parseDeviceJson(text: string): Parsed {
  const trimmed = text.replace(/[\0\s]+$/, '');
  if (trimmed.length === 0) {
    throw new DeviceJsonError('the device sent an empty reply', '');
  }
  try {
    return { value: JSON.parse(trimmed) as unknown, repairs: [] };
  } catch {
    const { json, repairs } = repair(trimmed);
    try {
      return { value: JSON.parse(json) as unknown, repairs };
    } catch (error) {
      throw new DeviceJsonError(
        `the device's reply is not JSON, even repaired (${error instanceof Error ? error.message : String(error)})`,
        trimmed.slice(0, 200),
      );
    }
  }
}

interface Cut {
  readonly length: number;
  readonly open: string;
}

/** The repair pass; exported for its tests. */
export function repair(input: string): { json: string; repairs: string[] } {
  const repairs = new Set<string>();
  let out = '';
  /** Closers still owed, innermost last. */
  let open = '';
  /** Where the text could be cut if it ends early: after each comma between values. */
  let lastCut: Cut | undefined;
  let i = 0;
  if (input.startsWith(',')) {
    // Avalon answers `,"id":1}` for a command it half-handles: an object without its start.
    repairs.add('a reply starting with a comma');
    out = '{';
    open = '}';
    i = 1;
  }
  const nextNonSpace = (from: number): string => {
    let j = from;
    while (j < input.length && /\s/.test(input[j] ?? '')) {
      j += 1;
    }
    return input[j] ?? '';
  };
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === '"') {
      const end = readString(input, i, repairs);
      out += end.text;
      i = end.next;
      continue;
    }
    if (c === '{' || c === '[') {
      out += c;
      open += c === '{' ? '}' : ']';
      i += 1;
      if (nextNonSpace(i) === ',') {
        repairs.add('a comma right after an opening bracket');
        i = input.indexOf(',', i) + 1;
      }
      continue;
    }
    if (c === '}' || c === ']') {
      out += c;
      open = open.slice(0, -1);
      i += 1;
      if (open.length === 0) {
        if (input.slice(i).trim().length > 0) {
          repairs.add('garbage after the reply');
        }
        return { json: out, repairs: [...repairs] };
      }
      const next = nextNonSpace(i);
      if (next === '{' || next === '[') {
        repairs.add('a missing comma between objects');
        out += ',';
      }
      continue;
    }
    if (c === ',') {
      const next = nextNonSpace(i + 1);
      if (next === '}' || next === ']') {
        repairs.add('a comma before a closing bracket');
        i += 1;
        continue;
      }
      lastCut = { length: out.length, open };
      out += c;
      i += 1;
      continue;
    }
    if (c === ':') {
      out += c;
      i += 1;
      const next = nextNonSpace(i);
      if (next === ',' || next === '}') {
        repairs.add('a key without a value');
        out += 'null';
      }
      continue;
    }
    if (/[A-Za-z0-9+\-.]/.test(c)) {
      let j = i;
      while (j < input.length && /[A-Za-z0-9+\-.]/.test(input[j] ?? '')) {
        j += 1;
      }
      const word = input.slice(i, j);
      if (NOT_NUMBERS.test(word)) {
        repairs.add(`a bare ${word}`);
        out += 'null';
      } else {
        out += word;
      }
      i = j;
      continue;
    }
    out += c;
    i += 1;
  }
  if (open.length > 0 && lastCut) {
    // The reply was cut off: keep every complete value, close what is open.
    repairs.add('a reply cut off before its end');
    return {
      json: out.slice(0, lastCut.length) + lastCut.open.split('').reverse().join(''),
      repairs: [...repairs],
    };
  }
  return { json: out, repairs: [...repairs] };
}

function readString(input: string, start: number, repairs: Set<string>): { text: string; next: number } {
  let text = '"';
  let i = start + 1;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === '\\') {
      const escaped = input[i + 1] ?? '';
      if (VALID_ESCAPES.has(escaped)) {
        text += c + escaped;
      } else {
        // Whatsminer writes \' around its firmware version.
        repairs.add(`an invalid escape \\${escaped}`);
        text += escaped === '' ? '' : escaped;
      }
      i += 2;
      continue;
    }
    if (c === '"') {
      return { text: text + c, next: i + 1 };
    }
    if (c.charCodeAt(0) < 0x20) {
      repairs.add('a control character inside a string');
      i += 1;
      continue;
    }
    text += c;
    i += 1;
  }
  return { text: text + '"', next: i };
}
