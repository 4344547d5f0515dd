import { GatewayLink } from '../gateway-link.ts';
import type { MeterReading, ReadLimits } from '../meter-reading.ts';
import {
  acknowledgement,
  dataBlockOf,
  dataMessageWatcher,
  figuresOf,
  identificationComplete,
  MAX_IDENTIFICATION_BYTES,
  parseDataBlock,
  parseIdentification,
  ReadoutError,
  repeatRequest,
  requestMessage,
  type UnitsWhenMissing,
} from './readout.ts';

/**
 * Reads an IEC 62056-21 meter in mode C through a transparent TCP gateway (an RS-485
 * converter, or an optical probe on a serial server): request, identification,
 * acknowledgement for a data readout, then the data message. Over TCP the gateway keeps
 * its own line speed: the acknowledgement names the rate the meter offered (a meter whose
 * RS-485 port runs at one fixed rate offers that one), or the rate the settings give,
 * 0 to stay at the 300 Bd of the sign-on behind a gateway fixed at 300 Bd.
 */

export interface IecSettings {
  readonly host: string;
  readonly port: number;
  /** The device address that picks one meter on a shared bus; empty: whichever answers. */
  readonly deviceAddress: string;
  /** Tariff registers 1.8.1–1.8.9 to keep, each with the name readings carry. */
  readonly tariffs: readonly { readonly tariff: number; readonly name: string }[];
  readonly transformerRatio: number;
  readonly unitsWhenMissing: UnitsWhenMissing;
  /** The baud rate character to acknowledge with; undefined: the one the meter offered. */
  readonly baudRateCharacter: string | undefined;
  /** The gateway's port is 8N1: the agent adds and strips the 7E1 parity bit. */
  readonly parityInBytes: boolean;
  /** Largest data message accepted, in bytes. */
  readonly maxReadoutBytes: number;
}

export async function readIec62056(settings: IecSettings, limits: ReadLimits): Promise<MeterReading> {
  const deadline = Date.now() + limits.timeoutMs;
  const link = await GatewayLink.open(settings, limits.connectTimeoutMs);
  try {
    const request = requestMessage(settings.deviceAddress);
    // A half-duplex converter or an optical probe may echo what the agent sent.
    const afterEcho = (received: Buffer, sent: Buffer): Buffer =>
      received.subarray(0, sent.length).equals(sent) ? received.subarray(sent.length) : received;
    const identificationBytes = await link.exchange({
      step: 'the request (/?…!)',
      request,
      complete: (received) => identificationComplete(afterEcho(received, request)),
      timeoutMs: Math.max(1, deadline - Date.now()),
      maxBytes: MAX_IDENTIFICATION_BYTES,
    });
    const identification = parseIdentification(afterEcho(identificationBytes, request));
    const readout = (step: string, request: Buffer): Promise<Buffer> =>
      link.exchange({
        step,
        request,
        complete: dataMessageWatcher(),
        timeoutMs: Math.max(1, deadline - Date.now()),
        maxBytes: settings.maxReadoutBytes,
      });
    let block: string;
    try {
      block = dataBlockOf(
        await readout(
          'the acknowledgement (data readout)',
          acknowledgement(settings.baudRateCharacter ?? identification.baudRate),
        ),
      );
    } catch (error) {
      // A message garbled on the line is asked for once more, as the standard provides.
      if (!(error instanceof ReadoutError && error.reason === 'bcc')) {
        throw error;
      }
      block = dataBlockOf(await readout('the repeat request (NAK)', repeatRequest()));
    }
    const figures = figuresOf(parseDataBlock(block), settings.unitsWhenMissing);
    const tariffEnergyWh: Record<string, number> = {};
    for (const { tariff, name } of settings.tariffs) {
      const wh = figures.tariffWh.get(tariff);
      if (wh !== undefined) {
        tariffEnergyWh[name] = wh * settings.transformerRatio;
      }
    }
    return {
      energyWh: figures.energyWh * settings.transformerRatio,
      powerW: figures.powerW * settings.transformerRatio,
      ...(settings.tariffs.length > 0 && { tariffEnergyWh }),
      ...(figures.serial !== undefined && { serial: figures.serial }),
    };
  } finally {
    link.close();
  }
}
