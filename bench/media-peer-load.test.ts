import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processGroupCpuSeconds } from './media-peer-load';

describe('processGroupCpuSeconds', () => {
  it('adds up the CPU time a busy process group used', async () => {
    // A child in its own process group that spins for 400 ms, then waits to be read and stopped.
    const child = spawn(process.execPath, ['-e', 'const end=Date.now()+400;while(Date.now()<end){}console.log("spun");setInterval(()=>{},1000)'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      const cpu = processGroupCpuSeconds(child.pid!);
      expect(cpu).toBeGreaterThan(0.3);
      expect(cpu).toBeLessThan(5);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
