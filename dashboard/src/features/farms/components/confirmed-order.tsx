import type { ActionParams, DeviceAction, DeviceCommand, FarmDevice } from '@hashwatt/schemas';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { notify } from '../../../lib/notify.ts';
import type { useSendCommand } from '../api/device-actions.ts';

/** What a device's command form is handed: the device, the sender, and what to do once queued. */
export interface CommandFormProps {
  readonly device: FarmDevice;
  readonly send: ReturnType<typeof useSendCommand>;
  readonly onQueued: (queued: DeviceCommand) => void;
  /** The device's agent declared it cannot (the reason is shown beside). */
  readonly disabled: boolean;
}

/**
 * Sends a command once the operator confirms it (the question names the device and
 * what changes), and says it was queued; `dialog` is the question, to be rendered.
 */
export function useConfirmedOrder({ device, send, onQueued }: CommandFormProps): {
  readonly order: (action: DeviceAction, params: ActionParams, question: string) => void;
  readonly dialog: ReactNode;
} {
  const { t } = useTranslation();
  const { ask, dialog } = useConfirm();
  const order = (action: DeviceAction, params: ActionParams, question: string) => {
    const name = t(`devices.actions.${action}`);
    void (async () => {
      if (
        !(await ask({ title: t('commands.confirmTitle', { action: name }), body: question, confirm: name }))
      ) {
        return;
      }
      send.mutate(
        { action, params },
        {
          onSuccess: (queued) => {
            onQueued(queued);
            notify(t('commands.queued', { action: name, device: device.device }));
          },
        },
      );
    })();
  };
  return { order, dialog };
}

/**
 * A command's form: on submit it marks itself checked (so its problems show from then on)
 * and calls `onValid` only when `valid` says the fields are sound.
 */
export function useCheckedSubmit(
  valid: () => boolean,
  onValid: () => void,
): { readonly checked: boolean; readonly onSubmit: (event: { preventDefault: () => void }) => void } {
  const [checked, setChecked] = useState(false);
  return {
    checked,
    onSubmit: (event) => {
      event.preventDefault();
      setChecked(true);
      if (valid()) {
        onValid();
      }
    },
  };
}
