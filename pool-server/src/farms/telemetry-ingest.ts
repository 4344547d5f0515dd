import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MinerSample, TelemetryBatch, TelemetryReceipt } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { countedHashrate, hottest, rollUpReadings } from './devices/device-rollups.ts';

/**
 * Stores a farm agent's batch: its devices and meters upserted, every reading by COPY,
 * all in one transaction that first claims the batch id, so a batch retried after a
 * timeout (the server stored it, the agent never heard) is stored once.
 */
export async function ingestTelemetry(
  db: Queryable,
  farmId: string,
  batch: TelemetryBatch,
): Promise<TelemetryReceipt> {
  return withTransaction(db, async (client) => {
    const claimed = await client.query(
      `INSERT INTO telemetry_batches (farm_id, batch_id, agent_version, miners, meters, dropped)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [farmId, batch.batchId, batch.agentVersion, batch.miners.length, batch.meters.length, batch.dropped],
    );
    const receipt = { batchId: batch.batchId, miners: batch.miners.length, meters: batch.meters.length };
    if (claimed.rowCount === 0) {
      return { ...receipt, stored: false };
    }
    const devices = await upsertDevices(client, farmId, batch.miners);
    const meters = await upsertMeters(client, farmId, batch);
    if (batch.miners.length > 0) {
      await copyCsv(
        client,
        'miner_samples (time, farm_id, device_id, state, state_evidence, state_reason, hashrate, expected_hashrate, power_w, power_source, chip_temp_c, board_temp_c, accepted, rejected, uptime_s, sample)',
        batch.miners.map((sample) => [
          sample.at,
          farmId,
          devices.get(sample.device),
          sample.state,
          sample.stateEvidence,
          sample.stateReason === undefined ? undefined : JSON.stringify(sample.stateReason),
          countedHashrate(sample),
          sample.expectedHashrate,
          sample.powerW,
          sample.powerSource,
          hottest(sample, 'chipTempC'),
          hottest(sample, 'boardTempC'),
          sample.shares?.accepted,
          sample.shares?.rejected,
          sample.uptimeSeconds,
          JSON.stringify(sample),
        ]),
      );
    }
    await rollUpReadings(client, farmId, devices, batch.miners);
    if (batch.meters.length > 0) {
      await copyCsv(
        client,
        'meter_samples (time, farm_id, meter_id, energy_wh, power_w, tariff_energy_wh)',
        batch.meters.map((sample) => [
          sample.at,
          farmId,
          meters.get(sample.meter),
          sample.energyWh,
          sample.powerW,
          sample.tariffEnergyWh === undefined ? undefined : JSON.stringify(sample.tariffEnergyWh),
        ]),
      );
    }
    const failures = batch.meterFailures ?? [];
    if (failures.length > 0) {
      await copyCsv(
        client,
        'meter_read_failures (time, farm_id, meter_id, reason)',
        failures.map((failure) => [failure.at, farmId, meters.get(failure.meter), failure.reason]),
      );
    }
    return { ...receipt, stored: true };
  });
}

/** Each device once, with what its newest reading in the batch says it is. */
async function upsertDevices(
  client: pg.PoolClient,
  farmId: string,
  samples: readonly MinerSample[],
): Promise<Map<string, string>> {
  const newest = new Map<string, MinerSample>();
  const earliest = new Map<string, string>();
  for (const sample of samples) {
    const seen = newest.get(sample.device);
    if (!seen || seen.at <= sample.at) {
      newest.set(sample.device, sample);
    }
    const first = earliest.get(sample.device);
    if (first === undefined || sample.at < first) {
      earliest.set(sample.device, sample.at);
    }
  }
  if (newest.size === 0) {
    return new Map();
  }
  const rows = [...newest.values()].map((sample) => ({
    device: sample.device,
    make: sample.identity.make,
    model: sample.identity.model ?? null,
    firmware: sample.identity.firmware,
    firmware_version: sample.identity.firmwareVersion ?? null,
    serial: sample.identity.serial ?? null,
    mac: sample.identity.mac ?? null,
    // An agent that names no algorithm gives one that is never counted as Bitcoin hashrate.
    algorithm: sample.identity.algorithm ?? 'unknown',
    first: earliest.get(sample.device) ?? sample.at,
    at: sample.at,
    state: sample.state,
    state_evidence: sample.stateEvidence ?? null,
    state_reason: sample.stateReason ?? null,
    pool_user: sample.pools.find((pool) => pool.active)?.user ?? null,
    commands: sample.commands ?? null,
  }));
  const { rows: ids } = await client.query<{ id: string; device: string }>(
    `INSERT INTO devices AS d (farm_id, device, make, model, firmware, firmware_version, serial, mac, algorithm, first_seen, last_seen, last_state, last_state_evidence, last_state_reason, pool_user, commands)
     SELECT $1, r.device, r.make, r.model, r.firmware, r.firmware_version, r.serial, r.mac, r.algorithm, r.first, r.at, r.state, r.state_evidence, r.state_reason, r.pool_user, r.commands
       FROM jsonb_to_recordset($2::jsonb) AS r (device text, make text, model text, firmware text, firmware_version text,
                                               serial text, mac text, algorithm text, first timestamptz, at timestamptz, state text,
                                               state_evidence text, state_reason jsonb, pool_user text, commands jsonb)
     ON CONFLICT (farm_id, device) DO UPDATE SET
       make = excluded.make, model = excluded.model, firmware = excluded.firmware,
       firmware_version = excluded.firmware_version, serial = excluded.serial, mac = excluded.mac,
       algorithm = excluded.algorithm,
       last_state = CASE WHEN excluded.last_seen >= d.last_seen THEN excluded.last_state ELSE d.last_state END,
       last_state_evidence = CASE WHEN excluded.last_seen >= d.last_seen THEN excluded.last_state_evidence
                                  ELSE d.last_state_evidence END,
       last_state_reason = CASE WHEN excluded.last_seen >= d.last_seen THEN excluded.last_state_reason
                                ELSE d.last_state_reason END,
       -- A device between pools (none active) keeps its last link.
       pool_user = CASE WHEN excluded.last_seen >= d.last_seen THEN coalesce(excluded.pool_user, d.pool_user) ELSE d.pool_user END,
       -- A reading that declares nothing (an unreachable device, an older agent) keeps what was declared.
       commands = CASE WHEN excluded.last_seen >= d.last_seen THEN coalesce(excluded.commands, d.commands) ELSE d.commands END,
       first_seen = least(d.first_seen, excluded.first_seen),
       last_seen = greatest(d.last_seen, excluded.last_seen)
     RETURNING id::text, device`,
    [farmId, JSON.stringify(rows)],
  );
  return new Map(ids.map((row) => [row.device, row.id]));
}

async function upsertMeters(
  client: pg.PoolClient,
  farmId: string,
  batch: TelemetryBatch,
): Promise<Map<string, string>> {
  // A meter's serial as its latest reading or failed read in the batch gives it; one without keeps the one known.
  const reports = [...batch.meters, ...(batch.meterFailures ?? [])];
  const serials = new Map<string, string | null>();
  for (const sample of reports.sort((a, b) => a.at.localeCompare(b.at))) {
    serials.set(sample.meter, sample.serial ?? serials.get(sample.meter) ?? null);
  }
  const names = [...serials.keys()];
  if (names.length === 0) {
    return new Map();
  }
  const times = reports.map((sample) => sample.at).sort();
  const { rows } = await client.query<{ id: string; name: string }>(
    `INSERT INTO meters AS m (farm_id, name, serial, first_seen, last_seen)
     SELECT $1, name, serial, $4, $5 FROM unnest($2::text[], $3::text[]) AS given (name, serial)
     ON CONFLICT (farm_id, name) DO UPDATE SET
       serial = coalesce(excluded.serial, m.serial),
       first_seen = least(m.first_seen, excluded.first_seen), last_seen = greatest(m.last_seen, excluded.last_seen)
     RETURNING id::text, name`,
    [farmId, names, [...serials.values()], times[0], times.at(-1)],
  );
  return new Map(rows.map((row) => [row.name, row.id]));
}

type CsvValue = string | number | undefined | null;

/** One CSV field as COPY reads it: absent is NULL, text quoted with its quotes doubled. */
function csvField(value: CsvValue): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : '';
  }
  return `"${value.replaceAll('"', '""')}"`;
}

async function copyCsv(
  client: pg.PoolClient,
  target: string,
  rows: readonly (readonly CsvValue[])[],
): Promise<void> {
  const text = rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
  await pipeline(
    Readable.from([text]),
    client.query(copyFrom(`COPY ${target} FROM STDIN WITH (FORMAT csv)`)),
  );
}
