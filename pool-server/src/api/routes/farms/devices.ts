import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  CommandCreate,
  DevicePatch,
  DeviceCommand,
  FarmDevice,
  FarmDeviceParams,
  FarmPower,
  IdParams,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { listCommands, queueCommand } from '../../../farms/curtailment/device-commands.ts';
import { listDevices, updateDevice, type DeviceListing } from '../../../farms/devices/devices.ts';
import { farmPower } from '../../../farms/devices/farm-power.ts';
import { farmAlertThresholds } from '../../../farms/alert-thresholds.ts';
import { audited, farmScope } from '../../audited.ts';
import { ownFarm, userId } from '../../scope.ts';
import { HwError } from '../../../errors.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/** A farm's devices: their readings, its power now, where they stand, and the commands sent to them. */
export const farmDeviceRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const deviceListing = async (farmId: string): Promise<DeviceListing> => ({
    nowMs: deps.pool.now(),
    // The farm's own threshold where it set one: the listing's flag and its alert agree.
    gapAlertPercent: (await farmAlertThresholds(deps.db, farmId, deps.farms.alertThresholds)).effective
      .gapPercent,
  });
  app.get(
    '/farms/:id/devices',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's miners as its agent reports them, with their latest reading",
        params: IdParams,
        response: { 200: Type.Array(FarmDevice), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listDevices(deps.db, farm.id, await deviceListing(farm.id));
    },
  );

  app.get(
    '/farms/:id/devices/:deviceId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'One device of a farm with its latest reading and its last hour, as the list shows it',
        params: FarmDeviceParams,
        response: { 200: FarmDevice, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const [device] = await listDevices(
        deps.db,
        farm.id,
        await deviceListing(farm.id),
        request.params.deviceId,
      );
      if (!device) {
        throw new HwError('HW_ERR_DEVICE_NOT_FOUND', undefined, 'params.deviceId');
      }
      return device;
    },
  );

  app.get(
    '/farms/:id/power',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A farm's power and efficiency now: metered, estimated from nameplates (how many), or unknown and why",
        params: IdParams,
        response: { 200: FarmPower, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmPower(deps.db, farm.id, await deviceListing(farm.id));
    },
  );

  app.patch(
    '/farms/:id/devices/:deviceId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'Set where a device stands (rack, shelf, slot) and what its maker rates it at',
        params: FarmDeviceParams,
        body: DevicePatch,
        response: { 200: FarmDevice, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return audited(deps.db, request, 'device.update', async (tx) => {
        const device = await updateDevice(
          tx,
          farm.id,
          request.params.deviceId,
          request.body,
          await deviceListing(farm.id),
        );
        return {
          result: device,
          ids: { farm: farm.id, device: device.id },
          scope: farmScope(farm),
          after: request.body,
        };
      });
    },
  );

  app.post(
    '/farms/:id/devices/:deviceId/commands',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "Orders a device to sleep, resume, reboot, change its power target or pool: the farm's agent carries it out",
        params: FarmDeviceParams,
        body: CommandCreate,
        response: { 201: DeviceCommand, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const command = await audited(deps.db, request, 'device-command.queue', async (tx) => {
        const queued = await queueCommand(tx, farm.id, request.params.deviceId, {
          action: request.body.action,
          params: request.body.params ?? {},
          userId: userId(request.caller),
          nowMs: deps.pool.now(),
        });
        return {
          result: queued,
          ids: { farm: farm.id, device: request.params.deviceId, command: queued.id },
          scope: farmScope(farm),
          after: request.body,
        };
      });
      request.log.info(
        { farm: farm.id, command: command.id, action: command.action },
        'api: device command queued',
      );
      return reply.code(201).send(command);
    },
  );

  app.get(
    '/farms/:id/commands',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's device commands, newest first: who ordered what, and how it ended",
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
        }),
        response: { 200: Type.Array(DeviceCommand), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listCommands(deps.db, farm.id, request.query.limit ?? 100);
    },
  );
  done();
};
