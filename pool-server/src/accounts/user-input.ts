import { parseArgs } from 'node:util';
import { UserCreate } from '@hashwatt/schemas';
import Value from 'typebox/value';

/**
 * `hashwatt user add` as a UserCreate: flags for everything but the password, which comes
 * on standard input (so it is in no shell history and no process list). Returns the
 * problems instead when the input is not a valid user.
 */
export function userFromCommand(
  args: readonly string[],
  password: string,
): { readonly user: UserCreate } | { readonly problems: readonly string[] } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        organisation: { type: 'string' },
        country: { type: 'string' },
        region: { type: 'string', multiple: true },
        config: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  }
  const candidate = {
    email: values.email,
    name: values.name ?? values.email,
    password: password.replace(/\r?\n$/, ''),
    role: values.role,
    ...(values.organisation !== undefined && { organisationId: values.organisation }),
    ...(values.country !== undefined && {
      jurisdiction: { country: values.country, regions: values.region ?? [] },
    }),
  };
  const problems = [...Value.Errors(UserCreate, candidate)].map((error) => {
    const field = error.instancePath.slice(1).replaceAll('/', '.') || 'input';
    return field === 'password'
      ? 'the password on standard input must have 12 to 1024 characters'
      : `${field} ${error.message}`;
  });
  return problems.length > 0 ? { problems } : { user: candidate as UserCreate };
}
