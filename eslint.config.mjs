import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'test-artifacts/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The core runs in the extension host, the notebook renderer and the CLI alike.
    files: ['src/core/**/*.ts', 'src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode'], message: 'The core is pure: no vscode imports.' },
            { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'The core is pure: no node: imports.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'bench/**', 'test/run.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
