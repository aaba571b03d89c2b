/**
 * Preloaded (`NODE_OPTIONS=--require …`) into the load test's probe process when `--load-cpu-prof DIR` is given:
 * Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the probe starts through tsx, so the profiler is started here
 * through the inspector and the profile written to `$NETREADY_CPU_PROFILE_DIR/<pid>.cpuprofile` when the process
 * exits (the probe exits on SIGTERM). An in-process inspector session answers synchronously, so this works in `exit`.
 */
/* global require -- a CommonJS preload (NODE_OPTIONS --require) */
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.NETREADY_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms sampling is finer than the delays we look for (p99 of a few ms), and cheap enough for a 90 s run.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
