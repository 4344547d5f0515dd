import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from './context.ts';
import { COMMANDS, runCommand } from './index.ts';

/** A command's context with the given environment, its output kept. */
function captured(env: Record<string, string> = {}): {
  context: CommandContext;
  stdout: () => string;
  stderr: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    context: {
      env,
      stdin: Readable.from([]),
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('the hashwatt command line, run in process', () => {
  it('lists every command, and prints one command’s help', async () => {
    const overview = captured();
    expect(await runCommand(['--help'], overview.context)).toBe(0);
    for (const command of COMMANDS) {
      expect(overview.stdout()).toContain(command.name);
    }
    const help = captured();
    expect(await runCommand(['report', 'key', 'rotate', '--help'], help.context)).toBe(0);
    expect(help.stdout()).toMatch(/^usage: hashwatt report key rotate /);
  });

  it('refuses an unknown command with exit 2', async () => {
    const run = captured();
    expect(await runCommand(['frobnicate'], run.context)).toBe(2);
    expect(run.stderr()).toContain('unknown command "frobnicate"');
    expect(run.stdout()).toBe('');
  });

  it('checks a configuration from the context’s environment, naming each bad key', async () => {
    const bad = captured({ HASHWATT_STRATUM_PORT: '70000', HASHWATT_API_PORT: 'eighty' });
    expect(await runCommand(['config', 'check'], bad.context)).toBe(2);
    expect(bad.stderr()).toContain('stratum.port');
    expect(bad.stderr()).toContain('api.port');
    const good = captured({ HASHWATT_STRATUM_PORT: '4444' });
    expect(await runCommand(['config', 'check'], good.context)).toBe(0);
    expect(good.stdout()).toContain('configuration OK');
    expect(good.stdout()).toContain(':4444');
  });

  it('leaves the pool to main.ts', async () => {
    await expect(runCommand(['pool'], captured().context)).rejects.toThrow(/runs from main.ts/);
  });
});
