/**
 * Preloaded (`NODE_OPTIONS=--require …`) into the load test's probe process (bench/load.ts):
 *  - with NETREADY_CPU_PROFILE_DIR, a CPU profile of the whole run, written to `<dir>/<pid>.cpuprofile` when the
 *    process exits (it exits on SIGTERM). Node 20 refuses `--cpu-prof` in NODE_OPTIONS and the probe starts through
 *    tsx, so the profiler is started through the inspector here;
 *  - with NETREADY_HEAP_PROFILE_DIR, a sampling allocation profile (where the garbage the collector pauses for comes
 *    from), written to `<dir>/<pid>.heapprofile` on exit;
 *  - with NETREADY_LOAD_GC_FILE, on SIGUSR2: a full garbage collection, then one JSON line with `process.memoryUsage()`
 *    appended to that file. The load test asks for it after warm-up and at the end, so that the two RSS figures are
 *    taken at the same point of V8's collection cycle and their difference is what stayed alive (a leak), not garbage
 *    V8 has not collected yet.
 * An in-process inspector session answers synchronously, so both also work inside `exit` and signal handlers.
 */
/* global require -- a CommonJS preload (NODE_OPTIONS --require) */
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const profileDir = process.env.NETREADY_CPU_PROFILE_DIR;
const gcFile = process.env.NETREADY_LOAD_GC_FILE;
const heapDir = process.env.NETREADY_HEAP_PROFILE_DIR;
if (profileDir || gcFile || heapDir) {
  const session = new inspector.Session();
  session.connect();
  if (profileDir) {
    session.post('Profiler.enable');
    // 1 ms sampling is finer than the delays we look for (p99 of a few ms), and cheap enough for a 90 s run.
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
    process.on('exit', () => {
      session.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(path.join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
  }
  if (gcFile || heapDir) session.post('HeapProfiler.enable');
  if (heapDir) {
    // One sample per 64 KiB allocated on average: cheap, and enough samples over a 90 s run to rank the allocators.
    session.post('HeapProfiler.startSampling', { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    process.on('exit', () => {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) fs.writeFileSync(path.join(heapDir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
      });
    });
  }
  if (gcFile) {
    process.on('SIGUSR2', () => {
      session.post('HeapProfiler.collectGarbage', () => {
        fs.appendFileSync(gcFile, `${JSON.stringify({ pid: process.pid, ...process.memoryUsage() })}\n`);
      });
    });
  }
}
