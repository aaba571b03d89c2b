/**
 * Test helper: Debian's real `tshark` reading a pcapng file, with the fields asked for, one object per frame.
 * Tests assert on what Wireshark's dissectors make of netready's captures; nothing here parses pcapng itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where tshark is (Debian's package; scripts/install-system-deps.sh installs it). */
export const TSHARK = process.env.NETREADY_TSHARK ?? '/usr/bin/tshark';

/**
 * Runs `tshark -r <file> -T fields -E separator=\t -E occurrence=a -E aggregator=| -e <field>…` with extra options
 * (e.g. `-o udp.check_checksum:TRUE`, `-d udp.port==5300,dns`) and returns one record per frame, field → value.
 */
export async function tsharkFields(bytes: Uint8Array, fields: string[], extra: string[] = []): Promise<Record<string, string>[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-tshark-'));
  try {
    const file = path.join(dir, 'capture.pcapng');
    writeFileSync(file, bytes);
    const args = ['-r', file, '-n', ...extra, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])];
    const { stdout } = await run(TSHARK, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const values = line.split('\t');
        return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']));
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
