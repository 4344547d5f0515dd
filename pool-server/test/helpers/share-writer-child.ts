/**
 * A writer in a process of its own, to be killed: it adds numbered shares as fast as
 * it can, commits them to its journal, and reports each committed number over IPC,
 * as a pool would reply "accepted" to the miner.
 */
import { createDatabase } from '../../src/db/pool.ts';
import { createWriter, numberedShare } from './share-writer.ts';

const [url = '', directory = ''] = process.argv.slice(2);
const writer = createWriter(
  createDatabase(url, () => undefined),
  directory,
);
await writer.start();
let n = 0;
const tick = (): void => {
  for (let i = 0; i < 50; i++) {
    writer.addShare(numberedShare(n++));
  }
  writer.commit();
  process.send?.(n);
  setImmediate(tick);
};
tick();
