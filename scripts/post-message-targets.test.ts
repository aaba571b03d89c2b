// Issue 14, "no page of netready posts a message with target origin `*`": every postMessage call in the app's,
// the library's and the embed client's sources names its target origin — checked over the sources as written.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['app', 'pages', 'components', 'lib', 'sdk', 'server', 'cli'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

describe('postMessage target origins', () => {
  const calls = SOURCE_DIRS.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/\.postMessage\(([^;]*?)\)\s*;/gs)].map((match) => ({ file: path.relative(ROOT, file), args: match[1]! }));
  });

  it('finds the embed protocol’s postMessage calls (the scan sees real code)', () => {
    expect(calls.map((call) => call.file)).toEqual(expect.arrayContaining(['components/embed/embed-bridge.ts', 'sdk/embed.ts']));
  });

  it('never posts to "*"', () => {
    expect(calls.filter((call) => /['"`]\*['"`]/.test(call.args))).toEqual([]);
  });
});
