/**
 * `hashwatt` for the tests: a command run in this process as bin/hashwatt.js runs it
 * (cli/'s runCommand, with the test's settings, standard input and buffers), or the
 * program itself as a child process, where the process is the point (its exit status,
 * its two output streams).
 */
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../src/cli/index.ts';

const BIN = fileURLToPath(new URL('../../bin/hashwatt.js', import.meta.url));

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `hashwatt args` in this process, its environment only `settings`, `stdin` its standard input. */
export async function hashwatt(
  args: readonly string[],
  settings: Readonly<Record<string, string>>,
  stdin = '',
): Promise<CommandRun> {
  const written = { stdout: '', stderr: '' };
  const code = await runCommand(args, {
    env: settings,
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: {
      write: (text: string) => (written.stdout += text),
    },
    stderr: {
      write: (text: string) => (written.stderr += text),
    },
  });
  return { code, ...written };
}

/** `node bin/hashwatt.js args`, with `settings` over the test's environment. */
export function hashwattProgram(
  args: readonly string[],
  settings: Readonly<Record<string, string>> = {},
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...settings } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`hashwatt did not run: ${error.message}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
