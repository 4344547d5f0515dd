import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeterSample, MinerSample, TelemetryBatch } from '@hashwatt/schemas';
import { causeOf } from '../protocol/http-json.ts';
import type { DiskQueue } from '../queue/disk-queue.ts';

/**
 * Sends the queue's batches to the server, oldest first, one at a time: a batch leaves
 * the queue only when the server has answered that it holds it. A timeout or a server
 * error retries the same batch (same id) after a growing, jittered pause; a refused key
 * keeps everything and says so; a batch the server finds invalid is set aside in a file,
 * counted and logged, so one bad reading cannot stop a farm's reporting.
 */

export interface UploaderLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface UploaderOptions {
  readonly serverUrl: string;
  readonly apiKey: string;
  readonly agentVersion: string;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Where batches the server refused as invalid are kept. */
  readonly rejectedDir: string;
  readonly log: UploaderLog;
}

export type UploadOutcome = 'empty' | 'sent' | 'retry' | 'set-aside';

export class Uploader {
  readonly #queue: DiskQueue;
  readonly #options: UploaderOptions;
  #failures = 0;
  #setAside = 0;

  constructor(queue: DiskQueue, options: UploaderOptions) {
    this.#queue = queue;
    this.#options = options;
  }

  /** Batches set aside as invalid since the agent started. */
  setAside(): number {
    return this.#setAside;
  }

  /** One attempt at the oldest batch. */
  async uploadOnce(): Promise<UploadOutcome> {
    const batch = await this.#queue.next(this.#options.batchSize);
    if (!batch) {
      return 'empty';
    }
    const body: TelemetryBatch = {
      batchId: batch.id,
      agentVersion: this.#options.agentVersion,
      miners: batch.readings.flatMap((reading): MinerSample[] =>
        reading.kind === 'miner' ? [reading.sample] : [],
      ),
      meters: batch.readings.flatMap((reading): MeterSample[] =>
        reading.kind === 'meter' ? [reading.sample] : [],
      ),
      dropped: batch.dropped,
    };
    let response: Response;
    try {
      response = await fetch(new URL('/api/agent/telemetry', this.#options.serverUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#options.apiKey}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      return this.#retry(batch.id, `the server did not answer (${causeOf(error)})`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      await this.#queue.ack(batch.id);
      this.#failures = 0;
      this.#options.log.info({ batch: batch.id, readings: batch.readings.length }, 'agent: batch delivered');
      return 'sent';
    }
    if (response.status === 401 || response.status === 403) {
      this.#options.log.error(
        { batch: batch.id, status: response.status },
        'agent: the server refused the farm API key; readings stay queued until a valid key is configured',
      );
      return this.#retry(batch.id, `the key was refused (HTTP ${String(response.status)})`);
    }
    if (response.status === 400) {
      await mkdir(this.#options.rejectedDir, { recursive: true });
      await writeFile(
        join(this.#options.rejectedDir, `${batch.id}.json`),
        JSON.stringify({ answer: text, batch: body }),
      );
      await this.#queue.ack(batch.id);
      this.#setAside += 1;
      this.#options.log.error(
        {
          batch: batch.id,
          answer: text.slice(0, 500),
          file: join(this.#options.rejectedDir, `${batch.id}.json`),
        },
        'agent: the server refused a batch as invalid; it is set aside in a file',
      );
      return 'set-aside';
    }
    return this.#retry(batch.id, `HTTP ${String(response.status)}: ${text.slice(0, 200)}`);
  }

  /** Uploads until the queue is empty or a retry is due; resolves with the pause before the next try. */
  async drain(): Promise<number> {
    for (;;) {
      const outcome = await this.uploadOnce();
      if (outcome === 'empty') {
        return 0;
      }
      if (outcome === 'retry') {
        return this.pauseMs();
      }
    }
  }

  /** The pause before the next attempt: doubling from initialMs to maxMs, ±20 % so agents do not retry in step. */
  pauseMs(): number {
    if (this.#failures === 0) {
      return 0;
    }
    const { initialMs, maxMs } = this.#options.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** (this.#failures - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  #retry(batchId: string, reason: string): 'retry' {
    this.#failures += 1;
    this.#options.log.warn(
      { batch: batchId, failures: this.#failures, reason },
      'agent: upload failed, will retry',
    );
    return 'retry';
  }
}
