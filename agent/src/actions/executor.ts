import type { AgentCommand, CommandOutcome } from '@hashwatt/schemas';
import type { ReadContext } from '../drivers/driver.ts';
import type { PolledDevice } from '../poll/poller.ts';
import { causeOf } from '../protocol/http-json.ts';
import type { UploaderLog } from '../upload/uploader.ts';

/**
 * Pulls the farm's due commands from the server, carries each out through its
 * device's driver, one device after another, and reports how each ended. A command for
 * a device the agent does not know, or an action its firmware lacks, is reported as
 * such: the operator sees every command end, never a silent queue.
 */

export interface ServerLink {
  readonly url: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

export async function executeDueCommands(
  server: ServerLink,
  devices: ReadonlyMap<string, PolledDevice>,
  context: ReadContext,
  log: UploaderLog,
): Promise<number> {
  const headers = { authorization: `Bearer ${server.apiKey}` };
  let commands: AgentCommand[];
  try {
    const response = await fetch(new URL('/api/agent/commands', server.url), {
      headers,
      signal: AbortSignal.timeout(server.timeoutMs),
    });
    if (!response.ok) {
      log.warn({ status: response.status }, 'agent: the server would not give the due commands');
      return 0;
    }
    commands = (await response.json()) as AgentCommand[];
  } catch (error) {
    log.warn({ reason: causeOf(error) }, 'agent: the due commands could not be fetched');
    return 0;
  }
  for (const command of commands) {
    const device = devices.get(command.device);
    let outcome: CommandOutcome;
    if (!device) {
      outcome = { status: 'failed', message: `the agent does not poll ${command.device}` };
    } else if (!device.driver.act) {
      outcome = {
        status: 'unsupported',
        message: `the ${device.driver.name} driver carries out no commands`,
      };
    } else {
      outcome = await device.driver.act(device.address, command, context).catch((error: unknown) => ({
        status: 'failed' as const,
        message: error instanceof Error ? error.message : String(error),
      }));
    }
    log.info(
      { command: command.id, device: command.device, action: command.action, ...outcome },
      'agent: command',
    );
    await fetch(new URL(`/api/agent/commands/${command.id}/outcome`, server.url), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ status: outcome.status, message: outcome.message.slice(0, 2_000) }),
      signal: AbortSignal.timeout(server.timeoutMs),
    }).catch((error: unknown) => {
      // The server hands an unanswered command out again after a while; it is then redone.
      log.warn(
        { command: command.id, reason: causeOf(error) },
        'agent: a command outcome could not be reported',
      );
    });
  }
  return commands.length;
}
