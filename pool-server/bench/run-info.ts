/** What every benchmark prints with its figures: the commit and the machine they come from. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${String(os.cpus().length)} cores, Node ${process.version}`;
}
