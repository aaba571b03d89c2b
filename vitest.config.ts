// Unit tests (vitest): pure lib/ code, server adapters on loopback, CLI, tooling scripts, the benchmark and the embed client (sdk/).
// Browser tests live in e2e/ and run under Playwright (`npm run test:e2e`), never here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'server/**/*.test.ts', 'cli/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts', 'components/**/*.test.ts', 'sdk/**/*.test.ts', 'deploy/**/*.test.ts'],
    exclude: ['e2e/**', '**/node_modules/**', '.next/**'],
    environment: 'node',
    /** Milliseconds; loopback server tests and ESLint's parser warm-up fit well inside this. */
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 20_000,
  },
});
