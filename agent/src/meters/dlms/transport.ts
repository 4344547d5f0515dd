import type { GatewayLink } from '../gateway-link.ts';
import {
  MAX_RECEIVE_PDU_BYTES,
  unwrap,
  wrap,
  WRAPPER_HEADER_BYTES,
  wrappedComplete,
  type WrapperAddresses,
} from './apdu.ts';

/**
 * What carries COSEM APDUs between the agent and a meter: the IEC 62056-47 TCP wrapper,
 * or an HDLC data link (IEC 62056-46) through a gateway. The application layer is the
 * same over either.
 */
export interface CosemTransport {
  /** Sends one APDU and resolves with the meter's APDU in reply; `deadline` is `Date.now()` time. */
  request(step: string, apdu: Buffer, deadline: number): Promise<Buffer>;
  /** Ends the data link where there is one to end. */
  release(deadline: number): Promise<void>;
}

export function wrapperTransport(link: GatewayLink, addresses: WrapperAddresses): CosemTransport {
  return {
    request: async (step, apdu, deadline) =>
      unwrap(
        addresses,
        await link.exchange({
          step,
          request: wrap(addresses, apdu),
          complete: wrappedComplete,
          timeoutMs: Math.max(1, deadline - Date.now()),
          maxBytes: WRAPPER_HEADER_BYTES + MAX_RECEIVE_PDU_BYTES,
        }),
      ),
    // The wrapper has no link of its own: closing the connection ends it.
    release: () => Promise.resolve(),
  };
}
