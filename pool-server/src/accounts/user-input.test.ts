import { describe, expect, it } from 'vitest';
import { userFromCommand } from './user-input.ts';

const PASSWORD = 'correct horse battery staple\n';

describe('hashwatt user add', () => {
  it('builds an operator, a regulator and an admin from flags and the password on stdin', () => {
    expect(
      userFromCommand(['--email', 'op@farm.ir', '--role', 'operator', '--organisation', '7'], PASSWORD),
    ).toEqual({
      user: {
        email: 'op@farm.ir',
        name: 'op@farm.ir',
        password: 'correct horse battery staple',
        role: 'operator',
        organisationId: '7',
      },
    });
    expect(
      userFromCommand(
        [
          '--email',
          'r@tavanir.ir',
          '--name',
          'Grid',
          '--role',
          'regulator',
          '--country',
          'IR',
          '--region',
          'IR-08',
        ],
        PASSWORD,
      ),
    ).toMatchObject({ user: { role: 'regulator', jurisdiction: { country: 'IR', regions: ['IR-08'] } } });
    expect(userFromCommand(['--email', 'a@pool.org', '--role', 'admin'], PASSWORD)).toMatchObject({
      user: { role: 'admin' },
    });
  });

  it('names every problem, and never echoes the password', () => {
    const result = userFromCommand(['--email', 'not-an-email', '--role', 'king'], 'short');
    expect(result).toHaveProperty('problems');
    const problems = 'problems' in result ? result.problems.join('\n') : '';
    expect(problems).toContain('email');
    expect(problems).toContain('the password on standard input must have 12 to 1024 characters');
    expect(problems).not.toContain('short');
    expect(userFromCommand(['--email', 'a@b.org', '--role', 'admin', '--wat'], PASSWORD)).toEqual({
      problems: [expect.stringContaining("Unknown option '--wat'")],
    });
  });
});
