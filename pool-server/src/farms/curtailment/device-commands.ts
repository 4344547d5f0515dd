import { randomUUID } from 'node:crypto';
import type {
  ActionParams,
  AgentCommand,
  CommandOutcome,
  CommandStatus,
  CommandSupports,
  Curtailment,
  DeviceAction,
  DeviceCommand,
} from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';

/**
 * Commands for a farm's devices: queued by an operator (or a whole farm's curtailment,
 * staggered), handed to the farm's agent when due, and closed with the outcome the
 * agent reports. The rows are the audit: who ordered what, when, and how it ended.
 */

interface CommandRow {
  readonly id: string;
  readonly device_id: string;
  readonly device: string;
  readonly action: DeviceAction;
  readonly params: ActionParams;
  readonly email: string;
  readonly ordered_at: Date;
  readonly not_before: Date;
  readonly curtailment: string | null;
  readonly status: CommandStatus;
  readonly sent_at: Date | null;
  readonly finished_at: Date | null;
  readonly outcome: string | null;
}

const COMMAND_SELECT = `SELECT c.id::text, c.device_id::text, d.device, c.action, c.params, u.email, c.ordered_at,
       c.not_before, c.curtailment::text, c.status, c.sent_at, c.finished_at, c.outcome
  FROM device_commands c JOIN devices d ON d.id = c.device_id JOIN users u ON u.id = c.ordered_by`;

function commandFrom(row: CommandRow): DeviceCommand {
  return {
    id: row.id,
    deviceId: row.device_id,
    device: row.device,
    action: row.action,
    params: row.params,
    orderedBy: row.email,
    orderedAt: row.ordered_at.toISOString(),
    notBefore: row.not_before.toISOString(),
    curtailment: row.curtailment,
    status: row.status,
    sentAt: row.sent_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    outcome: row.outcome,
  };
}

export function checkParams(action: DeviceAction, params: ActionParams): void {
  if (action === 'set-power-target' && params.powerTargetW === undefined) {
    throw new HwError('HW_ERR_ACTION_PARAMS', undefined, 'body.params.powerTargetW');
  }
  if (action === 'switch-pool' && (params.poolUrl === undefined || params.poolUser === undefined)) {
    throw new HwError('HW_ERR_ACTION_PARAMS', undefined, 'body.params.poolUrl');
  }
  if (action === 'set-fan' && params.fanMode === undefined) {
    throw new HwError('HW_ERR_ACTION_PARAMS', undefined, 'body.params.fanMode');
  }
  if (action === 'set-fan' && params.fanMode === 'manual' && params.fanPercent === undefined) {
    throw new HwError('HW_ERR_ACTION_PARAMS', undefined, 'body.params.fanPercent');
  }
}

/**
 * Refuses an action the device's agent declared it cannot carry out, with the agent's
 * reason, before it is queued: the operator hears why now, not after the agent's next
 * poll. An action never declared (an older agent, a device not read yet) is queued, and
 * the agent's outcome says how it went.
 */
async function checkSupported(
  db: Queryable,
  farmId: string,
  deviceId: string,
  action: DeviceAction,
): Promise<void> {
  const { rows } = await db.query<{ commands: CommandSupports | null }>(
    'SELECT commands FROM devices WHERE id = $2 AND farm_id = $1',
    [farmId, deviceId],
  );
  const why = whyUnable(rows[0]?.commands ?? null, action);
  if (why !== undefined) {
    throw new HwError('HW_ERR_ACTION_UNSUPPORTED', `This device cannot ${action}: ${why}.`, 'body.action');
  }
}

/** Why a device's agent declared it cannot carry out an action; undefined when it did not say so. */
function whyUnable(commands: CommandSupports | null, action: DeviceAction): string | undefined {
  const declared = commands?.find((support) => support.action === action && !support.supported);
  if (declared === undefined) {
    return undefined;
  }
  return declared.note === undefined || declared.note === ''
    ? `(${declared.reason ?? 'no reason given'})`
    : declared.note;
}

export async function queueCommand(
  db: Queryable,
  farmId: string,
  deviceId: string,
  order: {
    readonly action: DeviceAction;
    readonly params: ActionParams;
    readonly userId: string;
    readonly nowMs: number;
  },
): Promise<DeviceCommand> {
  checkParams(order.action, order.params);
  await checkSupported(db, farmId, deviceId, order.action);
  // Ordered and due by the pool's clock, the one the agent's polls are answered by.
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO device_commands (farm_id, device_id, action, params, ordered_by, ordered_at, not_before)
     SELECT $1, d.id, $3, $4, $5, to_timestamp($6::double precision / 1000), to_timestamp($6::double precision / 1000)
       FROM devices d WHERE d.id = $2 AND d.farm_id = $1
     RETURNING id::text`,
    [farmId, deviceId, order.action, JSON.stringify(order.params), order.userId, order.nowMs],
  );
  const id = rows[0]?.id;
  if (id === undefined) {
    throw new HwError('HW_ERR_DEVICE_NOT_FOUND', undefined, 'params.deviceId');
  }
  return getCommand(db, farmId, id);
}

async function getCommand(db: Queryable, farmId: string, id: string): Promise<DeviceCommand> {
  const { rows } = await db.query<CommandRow>(`${COMMAND_SELECT} WHERE c.farm_id = $1 AND c.id = $2`, [
    farmId,
    id,
  ]);
  const row = rows[0];
  if (!row) {
    throw new HwError('HW_ERR_COMMAND_NOT_FOUND', undefined, 'params.commandId');
  }
  return commandFrom(row);
}

/**
 * A whole farm (or the devices named) to sleep or wake, each device's command due at
 * its own moment, spread evenly over `staggerMinutes`, in device order. A device whose
 * agent declared it cannot is left out and named with the reason, so the operator knows
 * which machines need a hand (or their breaker) before the grid's deadline.
 */
export async function queueCurtailment(
  db: Queryable,
  farmId: string,
  order: {
    readonly action: 'sleep' | 'resume';
    readonly staggerMinutes: number;
    readonly deviceIds?: readonly string[] | undefined;
    readonly userId: string;
    readonly nowMs: number;
  },
): Promise<Curtailment> {
  const curtailment = randomUUID();
  // One statement, one snapshot: a device whose agent changes its declaration meanwhile is
  // either queued or named as left out, never neither.
  const { rows } = await db.query<{
    first_at: Date | null;
    last_at: Date | null;
    commands: string;
    unable: { deviceId: string; device: string; commands: CommandSupports }[];
  }>(
    `WITH targeted AS (
       SELECT id, device, commands, coalesce(commands @> $8::jsonb, false) AS unable
         FROM devices WHERE farm_id = $1 AND ($2::bigint[] IS NULL OR id = ANY ($2::bigint[]))
     ), chosen AS (
       SELECT id, row_number() OVER (ORDER BY device) - 1 AS position, count(*) OVER () AS total
         FROM targeted WHERE NOT unable
     ), queued AS (
       INSERT INTO device_commands (farm_id, device_id, action, ordered_by, ordered_at, not_before, curtailment)
       SELECT $1, id, $3, $4, to_timestamp($5::double precision / 1000),
              to_timestamp($5::double precision / 1000)
                + make_interval(secs => CASE WHEN total > 1 THEN $6::double precision * 60 * position / (total - 1) ELSE 0 END),
              $7
         FROM chosen
       RETURNING not_before
     )
     SELECT min(not_before) AS first_at, max(not_before) AS last_at, count(*)::text AS commands,
            (SELECT coalesce(json_agg(json_build_object('deviceId', id::text, 'device', device, 'commands', commands)
                                      ORDER BY device), '[]'::json)
               FROM targeted WHERE unable) AS unable
       FROM queued`,
    [
      farmId,
      order.deviceIds ?? null,
      order.action,
      order.userId,
      order.nowMs,
      order.staggerMinutes,
      curtailment,
      // The devices whose agent declared it cannot: left out of the stagger, and named.
      JSON.stringify([{ action: order.action, supported: false }]),
    ],
  );
  const row = rows[0];
  const at = new Date(order.nowMs).toISOString();
  return {
    curtailment,
    commands: Number(row?.commands ?? 0),
    firstAt: row?.first_at?.toISOString() ?? at,
    lastAt: row?.last_at?.toISOString() ?? at,
    unable: (row?.unable ?? []).flatMap(({ deviceId, device, commands }) => {
      const why = whyUnable(commands, order.action);
      return why === undefined ? [] : [{ deviceId, device, why }];
    }),
  };
}

export async function listCommands(db: Queryable, farmId: string, limit: number): Promise<DeviceCommand[]> {
  const { rows } = await db.query<CommandRow>(
    `${COMMAND_SELECT} WHERE c.farm_id = $1 ORDER BY c.id DESC LIMIT $2`,
    [farmId, limit],
  );
  return rows.map(commandFrom);
}

/**
 * The farm's commands that are due, marked sent in the same statement, so two polls
 * never hand out one command twice. A command sent but never answered (the agent
 * restarted) is due again after `resendSeconds`.
 */
export async function takeDueCommands(
  db: Queryable,
  farmId: string,
  nowMs: number,
  resendSeconds: number,
): Promise<AgentCommand[]> {
  const { rows } = await db.query<{ id: string; device: string; action: DeviceAction; params: ActionParams }>(
    `UPDATE device_commands c SET status = 'sent', sent_at = to_timestamp($2::double precision / 1000)
       FROM devices d
      WHERE d.id = c.device_id AND c.farm_id = $1
        AND c.not_before <= to_timestamp($2::double precision / 1000)
        AND (c.status = 'queued'
             OR (c.status = 'sent' AND c.sent_at < to_timestamp($2::double precision / 1000) - make_interval(secs => $3)))
      RETURNING c.id::text, d.device, c.action, c.params`,
    [farmId, nowMs, resendSeconds],
  );
  return rows
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((row) => ({ id: row.id, device: row.device, action: row.action, params: row.params }));
}

export async function recordOutcome(
  db: Queryable,
  farmId: string,
  id: string,
  outcome: CommandOutcome,
  nowMs: number,
): Promise<DeviceCommand> {
  const { rowCount } = await db.query(
    `UPDATE device_commands SET status = $3, outcome = $4, finished_at = to_timestamp($5::double precision / 1000)
      WHERE farm_id = $1 AND id = $2 AND status = 'sent'`,
    [farmId, id, outcome.status, outcome.message, nowMs],
  );
  const command = await getCommand(db, farmId, id);
  if (rowCount === 0 && command.status !== outcome.status) {
    // Only a command handed out can be closed; a report for another stays out of the audit.
    throw new HwError(
      'HW_ERR_COMMAND_NOT_FOUND',
      'This command was not sent to the agent.',
      'params.commandId',
    );
  }
  return command;
}
