import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeterReadFailure, MeterSample, MinerSample, TelemetryBatch } from '@hashwatt/schemas';
import { causeOf } from '../protocol/http-json.ts';
import type { Batch, DiskQueue } from '../queue/disk-queue.ts';

/**
 * Sends the queue's batches to the server, oldest first, one at a time: a batch leaves
 * the queue only when the server has answered that it holds it. A timeout or a server
 * error retries the same batch (same id) after a growing, jittered pause (at least the
 * server's Retry-After when it says to slow down); a refused key keeps everything and
 * says so; a batch the server finds invalid is set aside in a file, counted and logged,
 * so one bad reading cannot stop a farm's reporting.
 *
 * Batches are made to fit the server's body limit; one it still refuses as too large
 * (413: a server with a lower limit) is halved under a new id, and the limit assumed
 * from then on is lowered, so no body is ever retried as it was refused.
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
  /** The server's body limit (bytes): no batch is made larger. */
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Where batches the server refused as invalid are kept. */
  readonly rejectedDir: string;
  readonly log: UploaderLog;
}

/** `split`: the server refused the batch as too large, and half of it is next. */
export type UploadOutcome = 'empty' | 'sent' | 'retry' | 'set-aside' | 'split';

/** Room (bytes) in a body for what wraps the readings: the batch id, the agent's version, the counts. */
const ENVELOPE_BYTES = 1_024;

function bodyOf(batch: Batch, agentVersion: string): TelemetryBatch {
  return {
    batchId: batch.id,
    agentVersion,
    miners: batch.readings.flatMap((reading): MinerSample[] =>
      reading.kind === 'miner' ? [reading.sample] : [],
    ),
    meters: batch.readings.flatMap((reading): MeterSample[] =>
      reading.kind === 'meter' ? [reading.sample] : [],
    ),
    meterFailures: batch.readings.flatMap((reading): MeterReadFailure[] =>
      reading.kind === 'meter-failure' ? [reading.failure] : [],
    ),
    dropped: batch.dropped,
  };
}

/** Retry-After in seconds [RFC 9110 10.2.3]; the HTTP-date form is not sent by our server. */
function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

export class Uploader {
  readonly #queue: DiskQueue;
  readonly #options: UploaderOptions;
  #failures = 0;
  #setAside = 0;
  /** The server's Retry-After: the next attempt waits at least this long. */
  #slowDownMs = 0;
  /** The body limit assumed: the configured one, lowered when the server refuses a batch as too large. */
  #maxBodyBytes: number;

  constructor(queue: DiskQueue, options: UploaderOptions) {
    this.#queue = queue;
    this.#options = options;
    this.#maxBodyBytes = options.maxBodyBytes;
  }

  /** Batches set aside as invalid since the agent started. */
  setAside(): number {
    return this.#setAside;
  }

  /** One attempt at the oldest batch. */
  async uploadOnce(): Promise<UploadOutcome> {
    const batch = await this.#queue.next(this.#options.batchSize, this.#maxBodyBytes - ENVELOPE_BYTES);
    if (!batch) {
      return 'empty';
    }
    const body = bodyOf(batch, this.#options.agentVersion);
    const json = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(new URL('/api/agent/telemetry', this.#options.serverUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#options.apiKey}` },
        body: json,
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
    if (response.status === 413 && batch.readings.length > 1) {
      const bytes = Buffer.byteLength(json);
      this.#maxBodyBytes = Math.max(2 * ENVELOPE_BYTES, Math.min(this.#maxBodyBytes, Math.floor(bytes / 2)));
      const half = await this.#queue.shrink(batch.id, Math.ceil(batch.readings.length / 2));
      this.#options.log.warn(
        {
          batch: batch.id,
          bytes,
          readings: batch.readings.length,
          next: half?.id,
          maxBodyBytes: this.#maxBodyBytes,
        },
        'agent: the server refused a batch as too large; it is split, and batches are kept smaller from now on',
      );
      return 'split';
    }
    if (response.status === 401 || response.status === 403) {
      this.#options.log.error(
        { batch: batch.id, status: response.status },
        'agent: the server refused the farm API key; readings stay queued until a valid key is configured',
      );
      return this.#retry(batch.id, `the key was refused (HTTP ${String(response.status)})`);
    }
    if (response.status === 400 || response.status === 413) {
      // A 413 here is one reading larger than the server takes: no split can send it.
      const file = join(this.#options.rejectedDir, `${batch.id}.json`);
      await mkdir(this.#options.rejectedDir, { recursive: true });
      await writeFile(file, JSON.stringify({ answer: text, batch: body }));
      await this.#queue.ack(batch.id);
      this.#setAside += 1;
      this.#options.log.error(
        { batch: batch.id, status: response.status, answer: text.slice(0, 500), file },
        response.status === 413
          ? 'agent: the server refused a single reading as too large; it is set aside in a file'
          : 'agent: the server refused a batch as invalid; it is set aside in a file',
      );
      return 'set-aside';
    }
    return this.#retry(
      batch.id,
      `HTTP ${String(response.status)}: ${text.slice(0, 200)}`,
      response.status === 429 ? retryAfterMs(response) : 0,
    );
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
    return Math.max(this.#slowDownMs, Math.round(base * (0.8 + Math.random() * 0.4)));
  }

  /** `slowDownMs`: the server's Retry-After, the least the next pause may be. */
  #retry(batchId: string, reason: string, slowDownMs = 0): 'retry' {
    this.#failures += 1;
    this.#slowDownMs = slowDownMs;
    this.#options.log.warn(
      {
        batch: batchId,
        failures: this.#failures,
        reason,
        ...(slowDownMs > 0 && { retryAfterMs: slowDownMs }),
      },
      'agent: upload failed, will retry',
    );
    return 'retry';
  }
}
