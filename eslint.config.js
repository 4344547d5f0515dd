import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The one-way arrows of DESIGN.md between folders and packages are checked by
// dependency-cruiser (.dependency-cruiser.mjs, run by `pnpm lint`), the one list of them.

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', 'data/**', '**/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Prefers `x!`, which no-non-null-assertion forbids; an explicit `as T` after a check is clearer.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: false }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'read process.env only in config.ts or main.ts',
        },
      ],
    },
  },
  {
    // A source file over 400 lines does more than one thing: split it by concern, or say at
    // its top why it is one piece (`/* eslint-disable max-lines -- <the reason> */`).
    files: ['*/src/**/*.{ts,tsx,js,mjs}'],
    ignores: ['**/*.test.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: [
      '**/*.test.ts',
      '**/test/**/*.ts',
      '**/bench/**/*.ts',
      '**/scripts/**',
      'pool-server/src/config.ts',
      'pool-server/src/main.ts',
      'agent/bin/hashwatt-agent.js',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/scripts/**', '**/bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['dashboard/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // No feature reaches into another: what they share lives in components/ and lib/.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./(pool|miners|farms|economics|reports|regulator|admin)/',
              message: 'features do not import each other',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
