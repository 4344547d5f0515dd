import type { Sv2Message } from './message-table.ts';

/** What a session (Mining or Job Declaration) writes to and reports through; the connection implements it. */
export interface Sv2Sink {
  send(message: Sv2Message): void;
  /** An accepted share, acknowledged (SubmitShares.Success) once it is committed. */
  shareAccepted(channelId: number, sequenceNumber: number, difficulty: number): void;
  close(reason: string): void;
  penalize(points: number, reason: string): void;
}
