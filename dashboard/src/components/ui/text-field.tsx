import type { InputHTMLAttributes } from 'react';
import { FieldError } from '../../lib/field-error.tsx';

/**
 * A labelled input whose value is text, with what the API said of it (`path`, as the
 * API names fields: `body.reductionKw`) right under it.
 */
export function TextField({
  label,
  error,
  path,
  onValue,
  ...input
}: {
  label: string;
  error: unknown;
  path: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'>) {
  return (
    <label>
      {label}
      <input
        {...input}
        onChange={(event) => {
          onValue(event.target.value);
        }}
      />
      <FieldError error={error} path={path} />
    </label>
  );
}
