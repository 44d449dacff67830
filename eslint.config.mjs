// Lint rules that guard the design: workflow code stays deterministic (no Node built-ins, no I/O
// libraries), and no promise is left floating anywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioPackages = ['undici', 'pg', 'better-sqlite3', 'mssql', 'ldapts', 'pino', 'yaml', 'commander', 'cli-progress', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];

/** `files` may not import from the folders in `banned` (types from `typesOnly` are fine). */
function layer(files, banned, typesOnly = []) {
  const group = (dirs) => dirs.flatMap((d) => [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`, `../${d}`, `../../${d}`, `../../../${d}`]);
  const patterns = [{ group: group(banned), message: `layering: ${files.split('/')[0]}/ may not import from ${banned.join(', ')} (see DESIGN.md "Folders")` }];
  if (typesOnly.length) patterns.push({ group: group(typesOnly), allowTypeImports: true, message: `layering: ${files.split('/')[0]}/ imports only types from ${typesOnly.join(', ')}` });
  return [{ files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.tiger/**', 'coverage/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Workflows, signals, queries and updates are named through workflows/definitions.ts: a string
    // name would keep compiling after a rename and fail only at run time.
    files: ['client/**/*.ts', 'activities/**/*.ts', 'worker/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.property.name='workflow'][callee.property.name=/^(start|execute|signalWithStart)$/][arguments.0.type='Literal']",
          message: 'pass the workflow function from workflows/definitions.ts, not its name',
        },
        {
          // A bare identifier: SQL text passed to a database client's query() is not a message name.
          selector: "CallExpression[callee.property.name=/^(signal|query|executeUpdate|startUpdate)$/][arguments.0.value=/^\\w+$/]",
          message: 'pass the signal/query/update definition from workflows/definitions.ts, not its name',
        },
        {
          selector: "Property[key.name=/^(workflowType|signal)$/][value.type='Literal']",
          message: 'pass the workflow or signal definition from workflows/definitions.ts, not its name',
        },
      ],
    },
  },
  // Layers import one way (DESIGN.md): config and store stand alone; connectors build on config;
  // pipeline on config, connectors and store types; activities on those; runtime (process wiring
  // shared by the CLI, the worker and activities that start workflows) on workflows' definitions;
  // worker and client on everything, but never on each other's entry points.
  ...layer('config/**/*.ts', ['connectors', 'pipeline', 'activities', 'store', 'runtime', 'worker', 'client', 'workflows', 'emulators']),
  ...layer('store/**/*.ts', ['connectors', 'pipeline', 'activities', 'config', 'runtime', 'worker', 'client', 'workflows', 'emulators']),
  ...layer('connectors/**/*.ts', ['pipeline', 'activities', 'runtime', 'worker', 'client', 'workflows', 'emulators'], ['store']),
  // store/stable-json is pure (the hashing rules shared with the store); the engines are I/O.
  ...layer('pipeline/**/*.ts', ['activities', 'runtime', 'worker', 'client', 'workflows', 'emulators', 'store/index', 'store/sqlite', 'store/postgres', 'store/staged-rows']),
  ...layer('activities/**/*.ts', ['worker', 'client', 'emulators']),
  ...layer('runtime/**/*.ts', ['activities', 'worker', 'client', 'connectors', 'pipeline', 'emulators']),
  ...layer('worker/**/*.ts', ['client']),
  ...layer('emulators/**/*.ts', ['activities', 'runtime', 'worker', 'client', 'workflows', 'connectors', 'pipeline', 'store']),
  {
    // One door into workflow definitions for the client side, so there is one list to keep true;
    // and the client starts workers only through worker/'s public entry points.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/sync', '**/workflows/live', '**/workflows/scheduled', '**/workflows/project', '**/workflows/push', '**/workflows/test-connection'],
              allowTypeImports: true,
              message: 'import workflows, signals, queries and updates from workflows/definitions.ts',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioPackages].map((name) => ({ name, message: 'workflow code must be deterministic: no Node APIs or I/O (use an activity)' })),
          patterns: [
            { group: ['../activities/*', '../connectors/*', '../store/*', '../client/*', '../worker/*', '../config/*', '../pipeline/*'], allowTypeImports: true, message: 'workflows import only types from other layers' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'no Node APIs in workflows' },
        { name: 'require', message: 'no Node APIs in workflows' },
        { name: 'Buffer', message: 'no Node APIs in workflows' },
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' },
        { name: 'fetch', message: 'no I/O in workflows' },
      ],
    },
  },
);
