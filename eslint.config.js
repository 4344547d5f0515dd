import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The one-way arrows of DESIGN.md: a folder may not import the folders listed for it.
const zones = [
  { folder: 'work', forbidden: ['../*'], why: 'work/ is pure: it imports nothing else of src/' },
  {
    folder: 'stratum',
    forbidden: ['../ledger/*', '../db/*', '../api/*', '../farms/*'],
    why: 'stratum/ reaches ledger, db, api and farms only through interfaces main.ts passes in',
  },
  {
    folder: 'chain',
    forbidden: ['../stratum/*', '../ledger/*', '../api/*', '../farms/*'],
    why: 'chain/ sits below them',
  },
];

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
  ...zones.map(({ folder, forbidden, why }) => ({
    files: [`pool-server/src/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: why }] }] },
  })),
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
