/**
 * Parts of the agent that the pool's integration tests assemble by hand, without a whole
 * running agent: the command executor, two drivers, the disk queue and uploader, the
 * meter reader. For tests only.
 */
export { executeDueCommands } from './actions/executor.ts';
export { avalon } from './drivers/avalon.ts';
export { genericCgminer } from './drivers/generic-cgminer.ts';
export { readMeter } from './meters/modbus-meter.ts';
export { DiskQueue, type Reading } from './queue/disk-queue.ts';
export { Uploader } from './upload/uploader.ts';
