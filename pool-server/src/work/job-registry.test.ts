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
});
