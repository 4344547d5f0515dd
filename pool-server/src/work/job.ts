import { u32ToHex } from './bytes.ts';
import type { Coinbase } from './coinbase.ts';
import { createJobWork, type JobWork } from './share-work-layout.ts';
import type { PreparedTemplate } from './template.ts';

/** [stratum: mining.notify] params, in wire order and wire form. */
export type NotifyParams = readonly [
  jobId: string,
  prevhash: string,
  coinb1: string,
  coinb2: string,
  merkleBranch: readonly string[],
  version: string,
  nbits: string,
  ntime: string,
  cleanJobs: boolean,
];

/** The coinbase parts a job needs; a Coinbase from buildCoinbase is one. */
export type JobCoinbase = Pick<Coinbase, 'coinb1' | 'coinb2' | 'extranonce2Size' | 'witness'>;

export interface Job {
  readonly id: string;
  readonly template: PreparedTemplate;
  readonly coinbase: JobCoinbase;
  readonly cleanJobs: boolean;
  readonly work: JobWork;
  readonly notifyParams: NotifyParams;
}

/** Job ids go on the wire and into logs: short, printable and without quotes. */
const JOB_ID = /^[0-9A-Za-z_.-]{1,32}$/;

export function createJob(
  id: string,
  template: PreparedTemplate,
  coinbase: JobCoinbase,
  cleanJobs: boolean,
): Job {
  if (!JOB_ID.test(id)) {
    throw new RangeError(`job id ${JSON.stringify(id)} must be 1-32 characters of [0-9A-Za-z_.-]`);
  }
  const notifyParams: NotifyParams = [
    id,
    template.prevhashStratum,
    coinbase.coinb1.toString('hex'),
    coinbase.coinb2.toString('hex'),
    template.merkleBranch.map((hash) => hash.toString('hex')), // [stratum] internal byte order
    u32ToHex(template.version),
    u32ToHex(template.bits),
    u32ToHex(template.curtime),
    cleanJobs,
  ];
  const work = createJobWork(
    coinbase.coinb1,
    coinbase.coinb2,
    template.merkleBranch,
    template.prevhashInternal,
    template.bits,
  );
  return { id, template, coinbase, cleanJobs, work, notifyParams };
}
