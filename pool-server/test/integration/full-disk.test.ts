/**
 * Starts: the pool as a process (pool-server/bin/hashwatt.js) on a real PostgreSQL
 * database with its devchain, its data directory on a 2 MiB tmpfs of its own (mount(8),
 * so root only), a miner over real TCP, and the HTTP API. The tmpfs is filled with a
 * file while the miner works: the pool stays up, refuses the shares it cannot journal
 * (never true for a share it did not write), says so once in its log and on
 * /api/health, and takes shares again by itself once the file is deleted. Every share
 * it acknowledged is stored in the end.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HealthReport } from '@hashwatt/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { startPoolProcess, untilListening, type TestProcess } from '../helpers/processes.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig0`;
/** Shares a journal's last page can still take once the disk is full: a bound, not a figure. */
const MOST_SHARES_UNTIL_REFUSED = 200;
const FAULT_LOGGED = 'the share journal cannot be written';
const CAN_MOUNT = process.getuid?.() === 0;

/** Writes to `file` until the file system has no room left. */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  const page = Buffer.alloc(4096, 0x78);
  try {
    for (;;) {
      writeSync(fd, page);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') {
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!CAN_MOUNT)(
  CAN_MOUNT
    ? 'the pool on a data disk that fills up and frees again'
    : 'the pool on a data disk that fills up (skipped: mounting a tmpfs needs root; share-journal.test.ts covers the journal without it)',
  () => {
    let database: TestDatabase;
    let directory: string;
    let mounted = false;
    let pool: TestProcess | undefined;
    let ports: { stratum: number; api: number; rpc: number; zmq: number };

    const health = async (): Promise<HealthReport> => {
      const response = await fetch(`http://127.0.0.1:${String(ports.api)}/api/health`);
      expect(response.status).toBe(200);
      return (await response.json()) as HealthReport;
    };

    beforeAll(async () => {
      database = await createTestDatabase();
      directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-full-disk-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', directory]);
      mounted = true;
      ports = {
        stratum: await freePort(),
        api: await freePort(),
        rpc: await freePort(),
        zmq: await freePort(),
      };
    });

    afterAll(async () => {
      await pool?.stop('SIGKILL');
      if (mounted) {
        execFileSync('umount', [directory]);
      }
      rmSync(directory, { recursive: true, force: true });
      await database.drop();
    });

    it('refuses what it cannot journal, stays up, reports it, and resumes when space returns', async () => {
      const started = startPoolProcess({
        HASHWATT_DATABASE_URL: database.url,
        HASHWATT_DATA_DIR: directory,
        HASHWATT_STRATUM_PORT: String(ports.stratum),
        HASHWATT_API_PORT: String(ports.api),
        HASHWATT_DEVCHAIN_RPC_PORT: String(ports.rpc),
        HASHWATT_DEVCHAIN_ZMQ_PORT: String(ports.zmq),
        // No share is a block: the chain stays put while the miner works.
        HASHWATT_DEVCHAIN_DIFFICULTY: '1000000',
        HASHWATT_STRATUM_MIN_DIFFICULTY: '0.00001',
        // Batches are sealed (and their files deleted, freeing pages) seldom: the fill stays full.
        HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '5000',
        // The journal's probe while the disk is full.
        HASHWATT_LEDGER_RETRY_INTERVAL_MS: '200',
        HASHWATT_LOG_LEVEL: 'warn',
      });
      pool = started;
      await untilListening(started, ports.stratum);
      const miner = await StratumClient.connect(ports.stratum);
      await miner.subscribeAndAuthorize(WORKER, 'd=0.00001');
      let acknowledged = 0;
      const submit = async (): Promise<boolean> => {
        const reply = await miner.mineAndSubmit(WORKER);
        if (reply.result === true) {
          acknowledged += 1;
          return true;
        }
        expect(reply.error).toEqual([20, 'Share not recorded: pool storage unavailable, not counted', null]);
        return false;
      };

      for (let share = 0; share < 5; share += 1) {
        expect(await submit()).toBe(true);
      }
      expect((await health()).status).toBe('ok');

      const filler = path.join(directory, 'filler');
      fill(filler);
      // The open journal file's last page takes a few more; then the journal is refused.
      let refused = false;
      for (let share = 0; share < MOST_SHARES_UNTIL_REFUSED && !refused; share += 1) {
        refused = !(await submit());
      }
      expect(refused).toBe(true);
      // Refused from then on, without a restart or a crash, while the disk stays full.
      for (let share = 0; share < 5; share += 1) {
        expect(await submit()).toBe(false);
      }
      expect(started.child.exitCode).toBeNull();
      const degraded = await health();
      expect(degraded.status).toBe('degraded');
      expect(degraded.database.reachable).toBe(true);
      const shares = degraded.journals.find((journal) => journal.journal === 'shares');
      expect(shares).toMatchObject({ nodeId: 0, writable: false, problem: 'ENOSPC' });
      expect(Date.parse(shares?.unwritableSince ?? '')).toBeLessThanOrEqual(Date.now());
      const summary = await fetch(`http://127.0.0.1:${String(ports.api)}/api/pool`);
      expect(summary.status).toBe(200);

      rmSync(filler);
      await eventually(
        async () => ((await health()).status === 'ok' ? true : undefined),
        '/api/health ok again once the disk has room',
        30_000,
      );
      for (let share = 0; share < 10; share += 1) {
        expect(await submit()).toBe(true);
      }
      await eventually(
        async () => ((await countRows(database.db, 'shares')) === acknowledged ? true : undefined),
        'every acknowledged share stored',
        30_000,
      );
      miner.close();
      expect(await started.stop()).toBe(0);
      expect(await countRows(database.db, 'shares')).toBe(acknowledged);
      // The fault is logged once, not once a share.
      expect(started.output().split(FAULT_LOGGED).length - 1).toBe(1);
    }, 120_000);
  },
);
