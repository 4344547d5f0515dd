/**
 * The process's log. A person at a terminal reads it through pino-pretty; anywhere else
 * (a file, a pipe, journald, a test's stream) it stays JSON lines, which log shippers
 * and the tests parse.
 */
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** A file descriptor (1, 2) or a stream of the caller's. */
export type LogDestination = number | DestinationStream;

/** Pretty when the destination is a terminal, JSON lines otherwise. */
export function logFormatFor(
  destination: LogDestination,
  isTerminal: (fd: number) => boolean = isatty,
): LogFormat {
  return typeof destination === 'number' && isTerminal(destination) ? 'pretty' : 'json';
}

export function createLogger(
  options: LoggerOptions,
  destination: LogDestination,
  format: LogFormat = logFormatFor(destination),
): Logger {
  if (format === 'json') {
    return pino(options, typeof destination === 'number' ? pino.destination(destination) : destination);
  }
  // Written synchronously, as pino.destination() writes: a crash's last lines reach the terminal.
  const pretty = PinoPretty({
    destination,
    sync: true,
    colorize: typeof destination === 'number' && isatty(destination),
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return pino(options, pretty);
}
