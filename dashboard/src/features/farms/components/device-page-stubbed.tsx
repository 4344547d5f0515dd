import type { DeviceCommand, FarmDevice } from '@hashwatt/schemas';
import { Route } from 'react-router';
import { Toaster } from '../../../components/ui/toaster.tsx';
import { deviceFixture } from '../../../testing/fixtures.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubApi, type SentRequest, type StubRoutes } from '../../../testing/stub-api.ts';
import { DevicePage } from './device-page.tsx';

/** For the device page's tests: device 1 of farm 7. */
export const DEVICE = deviceFixture('1');

/**
 * The device page of `device` (DEVICE unless given) with the toaster, on an API that
 * answers the device, and the farm's commands and a new command as `commands` says;
 * every request is recorded.
 */
export function stubbedDevicePage(
  commands: {
    readonly list: StubRoutes[string];
    readonly send: StubRoutes[string];
  },
  device: FarmDevice = DEVICE,
): SentRequest[] {
  const sent = stubApi({
    'GET ^/farms/7/devices/1$': { body: device },
    'GET ^/farms/7/commands': commands.list,
    'POST ^/farms/7/devices/1/commands$': commands.send,
  });
  renderAt(
    '/farms/7/devices/1',
    <Route
      path="/farms/:id/devices/:deviceId"
      element={
        <>
          <DevicePage />
          <Toaster />
        </>
      }
    />,
  );
  return sent;
}

/** An API for stubbedDevicePage with no commands yet that queues whatever it is sent, echoing it. */
export const QUEUES_ANY: Parameters<typeof stubbedDevicePage>[0] = {
  list: { body: [] },
  send: (request) => {
    const { action, params = {} } = request.body as Partial<DeviceCommand> & Pick<DeviceCommand, 'action'>;
    return {
      status: 201,
      body: { id: '50', deviceId: '1', device: DEVICE.device, action, params, status: 'queued' },
    };
  },
};
