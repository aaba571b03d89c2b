// ESLint 9 flat config: typescript-eslint's recommended rules for TypeScript, ESLint's recommended rules for
// plain JavaScript, and the import boundaries of shared/STYLE.md ("Shape of the house"):
//   lib/     pure, isomorphic TypeScript: no Node builtins, no DOM globals, no app/ pages/ server/ components/ cli/.
//   server/  Node adapters: never import the web app (app/, pages/, components/).
// scripts/eslint-boundaries.test.ts proves the boundary rules fire.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Every Node builtin, with and without the `node:` scheme (fs, fs/promises, dgram, …). */
const nodeBuiltins = [...new Set(builtinModules.filter((name) => !name.startsWith('_')))];

/** Globals of the Node process running ESLint, for plain-JavaScript tooling (scripts/*.mjs, bin/*.mjs). */
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));

/**
 * Import sources that climb out of lib/ (or use an alias) into a top-level folder lib/ must not depend on.
 * Matched against the import string as written: `../server/x`, `../../app/page`, `./../cli/main`, `@/components/x`.
 * lib/ has no sub-folders with these names, so a relative path reaching one always means the top-level folder.
 */
const outOfLibRegex = '^(?:\\./)?(?:\\.\\./)+(?:app|pages|server|components|cli)(?:/|$)|^@/(?:app|pages|server|components|cli)(?:/|$)';
/** Same for server/: nothing from the web app. */
const serverToWebRegex = '^(?:\\./)?(?:\\.\\./)+(?:app|pages|components)(?:/|$)|^@/(?:app|pages|components)(?:/|$)';

/** lib/ files that only ever run under vitest: unit tests and the fakes in `testing/` folders. */
const libTestOnlyFiles = ['lib/**/*.test.{ts,tsx}', 'lib/**/testing/**/*.{ts,tsx}'];

/** Browser and Node globals lib/ must not touch; they arrive through injected context objects instead. */
const libRestrictedGlobals = [
  ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'self'].map((name) => ({
    name,
    message: 'lib/ is isomorphic: take browser state through an injected context object.',
  })),
  ...['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'fetch', 'WebSocket', 'XMLHttpRequest', 'performance'].map(
    (name) => ({
      name,
      message: `lib/ gets ${name} only through an injected context object, so probes run in unit tests with fakes.`,
    }),
  ),
  ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
    name,
    message: `lib/ is isomorphic: ${name} is a Node global. Use Uint8Array/DataView, and pass configuration in.`,
  })),
];

/** `globalThis.window` etc. would slip past no-restricted-globals; catch the same names as properties. */
const libRestrictedGlobalThisProperties = libRestrictedGlobals.map(({ name, message }) => ({
  object: 'globalThis',
  property: name,
  message,
}));

export default defineConfig(
  {
    ignores: [
      '.next/**',
      'node_modules/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
      'bench/out/**',
      '.run/**',
    ],
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
  },
  {
    // Browser scripts served as-is (if any): their globals are the browser's, which Node cannot list.
    files: ['public/**/*.{js,mjs}'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description', 'ts-expect-error': 'allow-with-description' }],
    },
  },
  {
    // Shipped lib/ code: isomorphic. Its unit tests and test fakes (`*.test.ts`, `testing/` folders) run only
    // under vitest in Node (fixtures via node:fs, performance.now()), so they get the next block's rules instead,
    // and shipped code may not import them.
    files: ['lib/**/*.{ts,tsx,mts,cts}'],
    ignores: libTestOnlyFiles,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: `lib/ is isomorphic: no Node builtins ('${name}'). Put socket/file code in server/ and inject it.`,
          })),
          patterns: [
            {
              regex: '^node:',
              message: 'lib/ is isomorphic: no Node builtins (node:*). Put socket/file code in server/ and inject it.',
            },
            {
              regex: outOfLibRegex,
              message: 'lib/ must not import from app/, server/, components/ or cli/; they depend on lib/, not the reverse.',
            },
            {
              regex: '(?:^|/)testing(?:/|$)',
              message: 'test fakes (lib/**/testing/) are for unit tests only; shipped lib/ code must not import them.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.type="Literal"][source.value=/^node:/]',
          message: 'lib/ is isomorphic: no Node builtins (node:*), not even by dynamic import.',
        },
      ],
      'no-restricted-globals': ['error', ...libRestrictedGlobals],
      'no-restricted-properties': ['error', ...libRestrictedGlobalThisProperties],
    },
  },
  {
    // lib/ unit tests and fakes may use Node, but still test lib/ on its own: no adapters, routes, UI or CLI.
    files: libTestOnlyFiles,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: outOfLibRegex,
              message: 'lib/ tests must not import from app/, server/, components/ or cli/; test lib/ through its own API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.{ts,tsx,mts,cts}'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: serverToWebRegex,
              message: 'server/ must not import from app/ or components/; share code through lib/.',
            },
          ],
        },
      ],
    },
  },
);
