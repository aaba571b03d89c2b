/**
 * In-page test runners (lib/probes/testing/*-page-entry.ts) bundled for a browser, each once per process: tests and
 * the bench inject them into a blank page (`page.addScriptTag({ content })`). Uses esbuild, which tsx (netready's
 * TypeScript runner, a dev dependency) brings.
 */
import path from 'node:path';
import { buildSync } from 'esbuild';

const bundles = new Map<string, string>();

/** The bundled script text of `lib/probes/testing/<entry>.ts`. */
export function pageEntryScript(entry: 'quality-page-entry' | 'nat-page-entry'): string {
  const cached = bundles.get(entry);
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [path.resolve(import.meta.dirname, '..', '..', 'lib', 'probes', 'testing', `${entry}.ts`)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.text;
  bundles.set(entry, text);
  return text;
}
