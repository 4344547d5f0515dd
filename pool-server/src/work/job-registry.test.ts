import { describe, expect, it } from 'vitest';
import { jobOfCase } from '../../test/helpers/share-cases.ts';
import { stratumShares } from '../../test/helpers/vectors.ts';
import { createJob, type Job } from './job.ts';
import { JobRegistry } from './job-registry.ts';

const base = jobOfCase(stratumShares.cases[0] ?? ({} as never));
const jobOn = (id: string, prevhashByte: number, clean = false): Job =>
  createJob(id, { ...base.template, prevhashInternal: Buffer.alloc(32, prevhashByte) }, base.coinbase, clean);

describe('job registry', () => {
  it('keeps refreshed jobs of the same block valid until clean_jobs', () => {
    const registry = new JobRegistry();
    registry.add(jobOn('1', 1));
    registry.add(jobOn('2', 1));
    expect(registry.find('1')).toMatchObject({ id: '1' });
    registry.add(jobOn('3', 1, true));
    expect(registry.find('1')).toBe('stale');
    expect(registry.find('2')).toBe('stale');
    expect(registry.latest?.id).toBe('3');
  });

  it('turns every job stale on a new previous block, even without clean_jobs', () => {
    const registry = new JobRegistry();
    registry.add(jobOn('1', 1));
    registry.add(jobOn('2', 2));
    expect(registry.find('1')).toBe('stale');
    expect(registry.find('2')).toMatchObject({ id: '2' });
  });

  it('keeps at most maxActiveJobs, and remembers a bounded number of retired ids', () => {
    const registry = new JobRegistry({ maxActiveJobs: 2, maxRetiredIds: 2 });
    for (const id of ['1', '2', '3', '4', '5']) {
      registry.add(jobOn(id, 1));
    }
    expect(registry.find('5')).not.toBe('stale');
    expect(registry.find('4')).not.toBe('stale');
    expect(registry.find('3')).toBe('stale');
    expect(registry.find('2')).toBe('stale');
    expect(registry.find('1')).toBeUndefined();
  });

  it('refuses a job id issued before', () => {
    const registry = new JobRegistry();
    registry.add(jobOn('1', 1));
    expect(() => {
      registry.add(jobOn('1', 1));
    }).toThrow(/already issued/);
    registry.add(jobOn('2', 2));
    expect(() => {
      registry.add(jobOn('1', 3));
    }).toThrow(/already issued/);
  });

  it('records each share once per job, and none on unknown or retired jobs', () => {
    const registry = new JobRegistry();
    registry.add(jobOn('1', 1));
    registry.add(jobOn('2', 1));
    const hash = Buffer.alloc(32, 7);
    expect(registry.recordShare('1', hash)).toBe(true);
    expect(registry.recordShare('1', hash)).toBe(false);
    expect(registry.recordShare('2', hash)).toBe(true);
    expect(registry.recordShare('9', hash)).toBe(false);
    registry.add(jobOn('3', 2));
    expect(registry.recordShare('2', Buffer.alloc(32, 8))).toBe(false);
  });

  describe('aliases: another id for an active job, for one session whose difficulty changed', () => {
    it('finds the job under its alias, and an alias of an alias is one more of the job', () => {
      const registry = new JobRegistry();
      const job = jobOn('1', 1);
      registry.add(job);
      expect(registry.alias('1')).toBe('1.1');
      expect(registry.alias('1.1')).toBe('1.2');
      expect(registry.find('1.1')).toBe(job);
      expect(registry.find('1.2')).toBe(job);
      expect(registry.find('1.3')).toBeUndefined();
      // Only the ids issued: no other spelling of a number, nor a second dot.
      for (const other of ['1.01', '1.', '1.0', '1.+1', '1.1e0', '1.1.1', '.1', '1. 1']) {
        expect(registry.find(other)).toBeUndefined();
        expect(registry.recordShare(other, Buffer.alloc(32, 3))).toBe(false);
      }
      expect(registry.latest).toBe(job);
      expect(registry.alias('9')).toBeUndefined();
    });

    it('shares one duplicate set with its job, both ways', () => {
      const registry = new JobRegistry();
      registry.add(jobOn('1', 1));
      const alias = registry.alias('1') ?? '';
      expect(registry.recordShare(alias, Buffer.alloc(32, 1))).toBe(true);
      expect(registry.recordShare('1', Buffer.alloc(32, 1))).toBe(false);
      expect(registry.recordShare('1', Buffer.alloc(32, 2))).toBe(true);
      expect(registry.recordShare(alias, Buffer.alloc(32, 2))).toBe(false);
    });

    it('retires with its job: stale after clean_jobs and after maxActiveJobs, and no new alias', () => {
      const registry = new JobRegistry({ maxActiveJobs: 2 });
      registry.add(jobOn('1', 1));
      registry.alias('1');
      registry.add(jobOn('2', 1));
      registry.add(jobOn('3', 1));
      expect(registry.find('1')).toBe('stale');
      expect(registry.find('1.1')).toBe('stale');
      expect(registry.alias('1')).toBeUndefined();
      expect(registry.recordShare('1.1', Buffer.alloc(32, 1))).toBe(false);

      registry.alias('3');
      registry.alias('3');
      registry.add(jobOn('4', 1, true));
      expect(registry.find('3.1')).toBe('stale');
      expect(registry.find('3.2')).toBe('stale');
      // Ids never issued stay unknown, whatever they look like.
      expect(registry.find('3.3')).toBeUndefined();
      expect(registry.find('3.01')).toBeUndefined();
      expect(registry.find('3.')).toBeUndefined();
      expect(registry.find('3.1.1')).toBeUndefined();
    });

    it('do not count toward maxActiveJobs', () => {
      const registry = new JobRegistry({ maxActiveJobs: 2 });
      registry.add(jobOn('1', 1));
      registry.add(jobOn('2', 1));
      for (let i = 0; i < 10; i++) {
        registry.alias('2');
      }
      expect(registry.find('1')).toMatchObject({ id: '1' });
      expect(registry.find('2.10')).toMatchObject({ id: '2' });
    });

    it('are held at most maxAliases at once; a retired job frees its own', () => {
      const registry = new JobRegistry({ maxActiveJobs: 1, maxAliases: 2 });
      registry.add(jobOn('1', 1));
      expect(registry.alias('1')).toBe('1.1');
      expect(registry.alias('1')).toBe('1.2');
      expect(registry.alias('1')).toBeUndefined();
      registry.add(jobOn('2', 1));
      expect(registry.alias('2')).toBe('2.1');
    });

    it('keeps "." for aliases: a job id holding one is refused', () => {
      const registry = new JobRegistry();
      expect(() => {
        registry.add(jobOn('1.1', 1));
      }).toThrow(/marks aliases/);
    });
  });
});
