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
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import {
  CHAIN_STANDS_STILL,
  freePoolPorts,
  poolPlacement,
  type PoolPorts,
  startPoolProcess,
  type TestProcess,
  untilListening,
} from '../helpers/processes.ts';
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
    let ports: PoolPorts;

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
      ports = await freePoolPorts();
    });

    afterAll(async () => {
      await pool?.stop('SIGKILL');
      if (mounted) {
        execFileSync('umount', [directory]);
      }
      rmSync(directory, { recursive: true, force: true });
      await database.drop();
    });

    const startPool = (dataDir: string, settings: Record<string, string> = {}): TestProcess =>
      startPoolProcess({
        ...poolPlacement(database.url, dataDir, ports),
        ...CHAIN_STANDS_STILL,
        // Batches are sealed (and their files deleted, freeing pages) seldom: the fill stays full.
        HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '5000',
        // The journal's probe while the disk is full.
        HASHWATT_LEDGER_RETRY_INTERVAL_MS: '200',
        ...settings,
      });

    /** A miner on the pool, and how many of its shares the pool acknowledged. */
    async function startMiner(): Promise<{
      submit(): Promise<boolean>;
      acknowledged(): number;
      close(): void;
    }> {
      const miner = await StratumClient.connect(ports.stratum);
      await miner.subscribeAndAuthorize(WORKER, 'd=0.00001');
      let acknowledged = 0;
      return {
        async submit() {
          const reply = await miner.mineAndSubmit(WORKER);
          if (reply.result === true) {
            acknowledged += 1;
            return true;
          }
          expect(reply.error).toEqual([
            20,
            'Share not recorded: pool storage unavailable, not counted',
            null,
          ]);
          return false;
        },
        acknowledged: () => acknowledged,
        close() {
          miner.close();
        },
      };
    }

    /** Fills the disk and submits until a share is refused; the open journal file's last page takes a few more. */
    async function fillUntilRefused(miner: { submit(): Promise<boolean> }): Promise<string> {
      const filler = path.join(directory, 'filler');
      fill(filler);
      let refused = false;
      for (let share = 0; share < MOST_SHARES_UNTIL_REFUSED && !refused; share += 1) {
        refused = !(await miner.submit());
      }
      expect(refused).toBe(true);
      return filler;
    }

    const untilHealthy = (): Promise<true> =>
      eventually(
        async () => ((await health()).status === 'ok' ? true : undefined),
        '/api/health ok again once the disk has room',
      );

    const untilStored = (count: number): Promise<true> =>
      eventually(
        async () => ((await countRows(database.db, 'shares')) === count ? true : undefined),
        'every acknowledged share stored',
      );

    it('refuses what it cannot journal, stays up, reports it, and resumes when space returns', async () => {
      const started = startPool(directory);
      pool = started;
      await untilListening(started, ports.stratum);
      const miner = await startMiner();
      for (let share = 0; share < 5; share += 1) {
        expect(await miner.submit()).toBe(true);
      }
      expect((await health()).status).toBe('ok');

      const filler = await fillUntilRefused(miner);
      // Refused from then on, without a restart or a crash, while the disk stays full.
      for (let share = 0; share < 5; share += 1) {
        expect(await miner.submit()).toBe(false);
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
      await untilHealthy();
      for (let share = 0; share < 10; share += 1) {
        expect(await miner.submit()).toBe(true);
      }
      await untilStored(miner.acknowledged());
      miner.close();
      expect(await started.stop()).toBe(0);
      expect(await countRows(database.db, 'shares')).toBe(miner.acknowledged());
      // The fault is logged once, not once a share.
      expect(started.output().split(FAULT_LOGGED).length - 1).toBe(1);
    });

    it("reports the journals of every Stratum process on the primary's /api/health", async () => {
      const before = await countRows(database.db, 'shares');
      // The same data directory: it holds the report signing key the database has registered.
      const started = startPool(directory, { HASHWATT_STRATUM_PROCESSES: '2' });
      pool = started;
      await untilListening(started, ports.stratum);
      await eventually(
        async () => ((await health()).journals.length === 4 ? true : undefined),
        'the share and block journals of both processes reported',
      );
      expect(
        (await health()).journals.map(({ journal, nodeId, writable }) => [journal, nodeId, writable]),
      ).toEqual([
        ['blocks', 0, true],
        ['shares', 0, true],
        ['blocks', 1, true],
        ['shares', 1, true],
      ]);
      const miner = await startMiner();
      const filler = await fillUntilRefused(miner);
      const degraded = await health();
      expect(degraded.status).toBe('degraded');
      expect(degraded.journals).toContainEqual(
        expect.objectContaining({ journal: 'shares', writable: false }),
      );
      rmSync(filler);
      await untilHealthy();
      expect(await miner.submit()).toBe(true);
      await untilStored(before + miner.acknowledged());
      miner.close();
      expect(await started.stop()).toBe(0);
    });
  },
);
