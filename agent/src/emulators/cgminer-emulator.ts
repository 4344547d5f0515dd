import { createServer, type Server } from 'node:net';
import { listen, type Listening } from './listen.ts';

/**
 * A miner's cgminer-style API on a real TCP port, answering each command with the
 * bytes a real miner sent (for tests, from ../shared/fixtures) or with replies made
 * up as it runs (the demo farm). Replies end with cgminer's NUL unless told otherwise.
 */

export interface CgminerRequest {
  readonly command: string;
  readonly parameter?: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The raw reply to a request; undefined answers like cgminer does for a command it does not know. */
export type CgminerReplies = (request: CgminerRequest) => string | undefined;

export interface CgminerEmulatorOptions {
  readonly host?: string;
  readonly port?: number;
  /** Append cgminer's NUL (default true). */
  readonly nul?: boolean;
  /** Accept connections and never answer: the device that stalls scans. */
  readonly silent?: boolean;
}

export interface RunningEmulator extends Listening {
  /** Every request the emulator received, in order. */
  readonly requests: readonly CgminerRequest[];
}

export function unknownCommand(command: string): string {
  return JSON.stringify({
    STATUS: [
      { STATUS: 'E', When: 0, Code: 14, Msg: `Invalid command ${command}`, Description: 'cgminer 4.11.1' },
    ],
    id: 1,
  });
}

export async function startCgminerEmulator(
  replies: CgminerReplies,
  options: CgminerEmulatorOptions = {},
): Promise<RunningEmulator> {
  const requests: CgminerRequest[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    if (options.silent === true) {
      return;
    }
    let text = '';
    let answered = false;
    const answer = (request: CgminerRequest): void => {
      answered = true;
      requests.push(request);
      const reply = replies(request) ?? unknownCommand(request.command);
      socket.end(options.nul === false ? reply : `${reply}\0`);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const request = answered ? undefined : parseJsonRequest(text);
      if (request) {
        answer(request);
      }
    });
    // A plain `summary|0` request is complete when the client stops sending.
    socket.once('end', () => {
      const request = answered ? undefined : parsePlainRequest(text);
      if (request) {
        answer(request);
      } else if (!answered) {
        socket.end();
      }
    });
  });
  return { ...(await listen(server, options)), requests };
}

/** A complete JSON request, `{"command":…}` (or Whatsminer's `{"cmd":…}`). */
function parseJsonRequest(text: string): CgminerRequest | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    return undefined;
  }
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>;
    const command =
      typeof body.command === 'string' ? body.command : typeof body.cmd === 'string' ? body.cmd : '';
    const parameter = typeof body.parameter === 'string' ? body.parameter : undefined;
    return { command, body, ...(parameter !== undefined && { parameter }) };
  } catch {
    return undefined;
  }
}

/** cgminer's plain request, `summary|0`. */
function parsePlainRequest(text: string): CgminerRequest | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.startsWith('{')) {
    return undefined;
  }
  const [command = '', parameter] = trimmed.split('|');
  return { command, body: {}, ...(parameter !== undefined && { parameter }) };
}
