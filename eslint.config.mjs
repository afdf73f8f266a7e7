import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Apps never import each other; libs and tools import no app; everyone (benchmarks and tests
  // too) reaches libs through the @tally/* aliases. Among the libs, the arrows point to the
  // contract: pricing and platform build on it, and pricing (pure arithmetic) needs no platform.
  ...[
    ['apps/ai-gateway/**/*.ts', ['**/credit-store/**']],
    ['apps/credit-store/**/*.ts', ['**/ai-gateway/**']],
    ['libs/**/*.ts', ['**/apps/**']],
    ['libs/contracts/**/*.ts', ['**/apps/**', '@tally/platform*', '@tally/pricing*']],
    ['libs/pricing/**/*.ts', ['**/apps/**', '@tally/platform*']],
    ['tools/**/*.ts', ['**/apps/**']],
    ['{bench,test}/**/*.ts', []],
  ].map(([files, forbidden]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((group) => ({
              group: [group],
              message:
                'Apps never import each other, libs and tools import no app, the contract no lib.',
            })),
            { group: ['**/libs/*/src/**'], message: 'Import libs through the @tally/* aliases.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  prettier,
);
