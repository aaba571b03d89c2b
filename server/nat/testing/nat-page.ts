/**
 * The in-page nat runner (lib/probes/testing/nat-page-entry.ts) bundled for a browser, once per process: tests inject
 * it into a blank page (`page.addScriptTag({ content })`). Uses esbuild, which tsx (a dev dependency) brings.
 */
import path from 'node:path';
import { buildSync } from 'esbuild';

let bundle: string | undefined;

/** The bundled script text. */
export function natPageScript(): string {
  if (bundle !== undefined) return bundle;
  const result = buildSync({
    entryPoints: [path.resolve(import.meta.dirname, '..', '..', '..', 'lib', 'probes', 'testing', 'nat-page-entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
  return bundle;
}
