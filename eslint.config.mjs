// ESLint: typescript-eslint's strict, type-aware rules (strictTypeChecked) over all TypeScript,
// with Prettier owning the layout (eslint-config-prettier turns the layout rules off).
// typescript-eslint needs TypeScript's JavaScript API, which TypeScript 7 (the native compiler
// that `npm run typecheck` runs) no longer ships: `typescript` is the TypeScript 6 API package
// the TypeScript team publishes for such tools, and `typescript-native` is TypeScript 7.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['src/generated/', 'examples/client/generated/', 'console/dist/', 'data/', '.tmp/', 'coverage/', 'docs/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Ids, counts and flags in messages and SQL text are meant: `customer ${id}`.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/restrict-plus-operands': ['error', { allowNumberAndString: true }],
      // `(r) => setTimeout(r, 25)`: a one-line arrow returning a void call is the idiom here.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // noUncheckedIndexedAccess is off (tsconfig), so `rows[0]` is typed as always present and
      // every defensive check of an index or a map lookup would be reported as unnecessary.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `!` marks an invariant the types cannot carry (a lookup after a has-check, a row just written).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `async` without `await` is deliberate: a throw becomes a rejection, as callers expect of a promise.
      '@typescript-eslint/require-await': 'off',
      // Raw SQL rows are typed by hand, but PostgreSQL's bigint and numeric come back as bigint or
      // string at run time: Number()/String() on them are real conversions the types cannot see.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // `_name` marks a value taken apart on purpose (a rest sibling, an unused parameter of a signature).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // React's onClick/onSubmit take async handlers that report their own failures; a promise
      // returned elsewhere where void is expected (a callback, a listener) is still an error.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Functions under ~80 lines (the house rule): a longer one carries an eslint-disable with its
    // reason (a declarative table, a schema that reads best whole).
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Tests, benchmarks and the scripts that drive a server (soak, screenshots, the fuzzer) read
    // JSON answers (typed any) and check them: typing every body would add casts, not safety. A
    // wrong shape fails the test or the run either way.
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Templates and `+=` in tests build queries from id arrays and failure messages from loose
      // answers or stream chunks; the test checks the resulting text either way.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Plain JavaScript (the launcher, the Prisma wrappers): no type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
