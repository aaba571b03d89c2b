// Proves the import boundaries of eslint.config.mjs (shared/STYLE.md, "Shape of the house") actually fire,
// by linting in-memory snippets as if they were files under lib/ and server/.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: repoRoot });

/** Lints `code` as the file `relativePath` and returns the ids of the rules that fired. */
async function lintAs(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, relativePath) });
  if (result === undefined) throw new Error(`ESLint returned no result for ${relativePath}`);
  return result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

describe('lib/ import boundaries', () => {
  it.each([
    ['a node: builtin', "import dgram from 'node:dgram';\nexport const d = dgram;\n", '@typescript-eslint/no-restricted-imports'],
    ['a bare builtin name', "import { readFile } from 'fs/promises';\nexport const r = readFile;\n", '@typescript-eslint/no-restricted-imports'],
    ['a type-only import of a builtin', "import type { Socket } from 'net';\nexport type S = Socket;\n", '@typescript-eslint/no-restricted-imports'],
    ['server code through a climbing relative path', "import x from '../../server/main';\nexport const y = x;\n", '@typescript-eslint/no-restricted-imports'],
    ['an app route', "export { default } from '../../app/page';\n", '@typescript-eslint/no-restricted-imports'],
    ['a Pages Router page', "export { default } from '../../pages/index';\n", '@typescript-eslint/no-restricted-imports'],
    ['a component via ./..', "import { Meter } from './../../components/ui/meter';\nexport const m = Meter;\n", '@typescript-eslint/no-restricted-imports'],
    ['the CLI', "import { run } from '../../cli/main';\nexport const r = run;\n", '@typescript-eslint/no-restricted-imports'],
    ['a dynamic node: import', "export const load = () => import('node:os');\n", 'no-restricted-syntax'],
    ['the window global', 'export const foo = window.foo;\n', 'no-restricted-globals'],
    ['RTCPeerConnection', 'export const pc = new RTCPeerConnection();\n', 'no-restricted-globals'],
    ['fetch', "export const r = fetch('/api');\n", 'no-restricted-globals'],
    ['performance via globalThis', 'export const t = globalThis.performance.now();\n', 'no-restricted-properties'],
    ['the Node process global', 'export const env = process.env;\n', 'no-restricted-globals'],
  ])('rejects %s in a lib/ file', async (_what, code, ruleId) => {
    const rules = await lintAs('lib/probes/example.ts', code);
    expect(rules).toContain(ruleId);
  });

  it('accepts a clean lib/ file that imports lib/ siblings and uses an injected context', async () => {
    const code = [
      "import type { Config } from '../config/schema';",
      "import { z } from 'zod';",
      '',
      '/** What the probe needs from the browser, injected. */',
      'export interface ProbeContext {',
      '  createPeerConnection(config: { iceServers: { urls: string }[] }): { close(): void };',
      '  nowMs(): number;',
      '}',
      '',
      '/** Reads the run budget. */',
      'export function readBudgetMs(config: Config, context: ProbeContext): number {',
      '  const startedMs = context.nowMs();',
      '  const pc = context.createPeerConnection({ iceServers: [] });',
      '  pc.close();',
      '  return z.number().parse(config.run.budgetMs) + startedMs * 0;',
      '}',
      '',
    ].join('\n');
    expect(await lintAs('lib/probes/example.ts', code)).toEqual([]);
  });
});

describe('lib/ unit tests and test fakes', () => {
  it.each(['lib/protocol/stun/message.test.ts', 'lib/probes/testing/fake-webrtc.ts'])(
    'may use node:fs and performance in %s, since it only runs in Node',
    async (file) => {
      const code = "import { readFileSync } from 'node:fs';\nexport const t0 = performance.now();\nexport const f = readFileSync;\n";
      expect(await lintAs(file, code)).toEqual([]);
    },
  );

  it('may not be imported by shipped lib/ code', async () => {
    const rules = await lintAs('lib/probes/stun-udp.ts', "import { FakePeer } from './testing/fake-webrtc';\nexport const p = FakePeer;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('still may not import server code', async () => {
    const rules = await lintAs('lib/protocol/stun/message.test.ts', "import { x } from '../../../server/stun/x';\nexport const y = x;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });
});

describe('server/ import boundaries', () => {
  it('rejects an import of the web app from server/', async () => {
    const rules = await lintAs('server/http/example.ts', "import Page from '../../app/page';\nexport const p = Page;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('rejects an import of a Pages Router page from server/', async () => {
    const rules = await lintAs('server/http/example.ts', "import Home from '../../pages/index';\nexport const h = Home;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('accepts Node builtins and lib/ in server/', async () => {
    const code = "import dgram from 'node:dgram';\nimport type { Config } from '../../lib/config/schema';\nexport const make = (_c: Config) => dgram.createSocket('udp4');\n";
    expect(await lintAs('server/stun/example.ts', code)).toEqual([]);
  });
});
