/**
 * Test-only helpers for Prometheus text: read one sample's value, and run Prometheus's own `promtool check metrics`
 * (Debian package `prometheus`) over a scrape, so the format is judged by the real consumer, not by us.
 */
import { spawn } from 'node:child_process';

/**
 * The value of the sample `name` whose labels include every pair of `labels`, or undefined when there is none.
 * With several matches (other labels differ) their values are summed.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const pairs = new Map([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!Object.entries(labels).every(([key, value]) => pairs.get(key) === value)) continue;
    total = (total ?? 0) + Number(match[4]);
  }
  return total;
}

/** Runs `promtool check metrics` on `text`; resolves with its exit code and output (problems are listed there). */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`promtool could not run (install the Debian package "prometheus"): ${error.message}`)));
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
