// Unit tests (vitest): pure lib/ code, server adapters on loopback, CLI, tooling scripts, the benchmark and the embed client (sdk/).
// Browser tests live in e2e/ and run under Playwright (`npm run test:e2e`), never here.
//
// Two groups, one after the other. First the files that own no real traffic — pure code, the store, the HTTP APIs,
// config, the CLI's parsing — two at a time: their slow files mostly wait on timers (fake deployments run out their
// probe deadlines) and the rest is module loading, so two cores overlap them. Then the adapters that time real packets,
// watch files or drive Chromium, Firefox and coturn, one file at a time as before: run beside other files they flake
// (seen: the TURN flood's deadline and the certificate watcher's debounce with three files at a time).
import { defineConfig } from 'vitest/config';

/** The files that time real traffic, watch files or drive a browser or coturn: run one at a time, after the rest. */
const TIMED = [
  'server/{acme,dns,http,ice-tcp,mtu,nat,net,pac,peer,testing,tls,tls-mirror,turn}/**/*.test.ts',
  'server/*.test.ts',
  'bench/{first-load-js,load,media-peer-load,relay-throughput,stun-floor,stun-load,stun-prober}.test.ts',
  'cli/**/*.chromium.test.ts',
  'cli/**/*.launch.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['e2e/**', '**/node_modules/**', '.next/**'],
    environment: 'node',
    /** Milliseconds; loopback server tests and ESLint's parser warm-up fit well inside this. */
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'quiet',
          include: ['lib/**/*.test.ts', 'components/**/*.test.ts', 'sdk/**/*.test.ts', 'scripts/**/*.test.ts', 'deploy/**/*.test.ts', 'server/**/*.test.ts', 'cli/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: [...TIMED, 'e2e/**', '**/node_modules/**', '.next/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'timed',
          include: TIMED,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
