/**
 * What every command is given and returns: the types index.ts dispatches with and each
 * command module takes, in a module of their own so that the commands do not import
 * index.ts back.
 */
import type { Logger } from 'pino';

/** Where a command writes: process.stdout and process.stderr, or a test's buffers. */
export interface CommandOutput {
  write(text: string): unknown;
}

/** What a command runs with, so that a test can run it in its own process. */
export interface CommandContext {
  /** The environment its configuration is read from (HASHWATT_*, HASHWATT_CONFIG). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: CommandOutput;
  readonly stderr: CommandOutput;
  /** Told the command's log once there is one: the program reports its last-resort failures there. */
  readonly adoptLog?: (log: Logger) => void;
}

/** A command: its arguments after its name in, its exit status out. It never exits the process. */
export type CommandRun = (args: readonly string[], context: CommandContext) => Promise<number>;
