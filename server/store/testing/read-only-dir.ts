/**
 * Makes a folder really read-only for a test, the way an operator's read-only data volume is. `chmod` alone does
 * not stop root (tests run as root on CI), so as root the folder is also marked immutable (`chattr +i`), which
 * stops root too. Test-only.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Makes `dir` refuse new files, checks that it does, and returns the function that makes it writable again. */
export function makeReadOnly(dir: string): () => void {
  const root = process.getuid?.() === 0;
  chmodSync(dir, 0o555);
  if (root) {
    try {
      execFileSync('chattr', ['+i', dir], { stdio: 'pipe' });
    } catch (cause) {
      chmodSync(dir, 0o755);
      throw new Error(`cannot make ${dir} read-only for root: chattr +i failed (needs e2fsprogs and a file system with the immutable flag)`, { cause });
    }
  }
  const restore = (): void => {
    if (root) execFileSync('chattr', ['-i', dir], { stdio: 'pipe' });
    chmodSync(dir, 0o755);
  };
  const probe = path.join(dir, '.write-probe');
  let writable = true;
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch {
    writable = false;
  }
  if (writable) {
    restore();
    throw new Error(`${dir} still accepts new files after chmod 555${root ? ' and chattr +i' : ''}`);
  }
  return restore;
}
