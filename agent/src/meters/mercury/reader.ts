import { GatewayLink } from '../gateway-link.ts';
import type { MeterReading, ReadLimits } from '../meter-reading.ts';
import {
  activePowerRequest,
  decodeActivePower,
  decodeEnergyArray,
  decodeReply,
  encodeRequest,
  ENERGY_ARRAY,
  ENERGY_REPLY_BYTES,
  energyRequest,
  MAX_REPLY_BYTES,
  MercuryFrameError,
  openChannelRequest,
  POWER_REPLY_BYTES,
  replyComplete,
  REQUEST,
  STATUS_REPLY_BYTES,
  type TariffNumber,
} from './frame.ts';

/**
 * Reads a Mercury 230/234 through a transparent TCP gateway: opens the channel with the
 * password, reads active energy (import) since reset for the total and each tariff asked
 * for, and the instantaneous active power, then closes the channel. The meter closes an
 * idle channel by itself (after about 240 s); a request answered "channel not open" opens
 * it again and is asked once more.
 */

export interface MercurySettings {
  readonly host: string;
  readonly port: number;
  /** The meter's network address, 1–254; 0 is the broadcast any single meter answers. */
  readonly address: number;
  readonly accessLevel: 1 | 2;
  readonly password: Uint8Array;
  /** Tariffs 1–4 to read, each with the name readings carry. */
  readonly tariffs: readonly { readonly tariff: 1 | 2 | 3 | 4; readonly name: string }[];
  /** Current and voltage transformer ratios multiplied: the meter counts on the secondary side. */
  readonly transformerRatio: number;
}

export async function readMercury(settings: MercurySettings, limits: ReadLimits): Promise<MeterReading> {
  const deadline = Date.now() + limits.timeoutMs;
  const link = await GatewayLink.open(settings, limits.connectTimeoutMs);
  try {
    const ask = async (step: string, request: Buffer, expectedBytes: number): Promise<Buffer> => {
      const reply = await link.exchange({
        step,
        request,
        complete: (received) => replyComplete(received, expectedBytes),
        timeoutMs: Math.max(1, deadline - Date.now()),
        maxBytes: MAX_REPLY_BYTES,
      });
      try {
        return decodeReply(reply, settings.address, expectedBytes);
      } catch (error) {
        throw error instanceof MercuryFrameError
          ? new MercuryFrameError(error.reason, `${step}: ${error.message}`, error.status)
          : error;
      }
    };
    const openChannel = async (): Promise<void> => {
      try {
        await ask(
          'open channel',
          openChannelRequest(settings.address, settings.accessLevel, settings.password),
          STATUS_REPLY_BYTES,
        );
      } catch (error) {
        if (error instanceof MercuryFrameError && error.reason === 'status') {
          throw new MercuryFrameError(
            'status',
            `the meter refused to open the channel at access level ${String(settings.accessLevel)} (${error.message}): check the password and the access level`,
            error.status,
          );
        }
        throw error;
      }
    };
    // A channel the meter closed meanwhile is opened again, once per request.
    const askOpen = async (step: string, request: Buffer, expectedBytes: number): Promise<Buffer> => {
      try {
        return await ask(step, request, expectedBytes);
      } catch (error) {
        if (error instanceof MercuryFrameError && error.status === 0x05) {
          await openChannel();
          return ask(step, request, expectedBytes);
        }
        throw error;
      }
    };
    await openChannel();
    const energyOf = async (tariff: TariffNumber): Promise<number | undefined> => {
      const step = tariff === 0 ? 'read energy (all tariffs)' : `read energy (tariff ${String(tariff)})`;
      const data = await askOpen(
        step,
        energyRequest(settings.address, ENERGY_ARRAY.sinceReset, tariff),
        ENERGY_REPLY_BYTES,
      );
      return decodeEnergyArray(data).activeImportWh;
    };
    const totalWh = await energyOf(0);
    if (totalWh === undefined) {
      throw new MercuryFrameError('value', 'the meter keeps no active import energy total (A+ is FFFFFFFF)');
    }
    const tariffEnergyWh: Record<string, number> = {};
    for (const { tariff, name } of settings.tariffs) {
      const wh = await energyOf(tariff);
      // A tariff the meter's schedule never used reads 0; FFFFFFFF is one it does not keep.
      if (wh !== undefined) {
        tariffEnergyWh[name] = wh * settings.transformerRatio;
      }
    }
    const power = decodeActivePower(
      await askOpen('read active power', activePowerRequest(settings.address), POWER_REPLY_BYTES),
    );
    // Polite, not needed: the meter would close the channel itself after its idle time.
    await ask(
      'close channel',
      encodeRequest(settings.address, REQUEST.closeChannel),
      STATUS_REPLY_BYTES,
    ).catch(() => undefined);
    return {
      energyWh: totalWh * settings.transformerRatio,
      powerW: power.totalW * settings.transformerRatio,
      ...(settings.tariffs.length > 0 && { tariffEnergyWh }),
    };
  } finally {
    link.close();
  }
}
