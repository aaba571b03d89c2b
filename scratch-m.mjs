import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
const t0 = performance.now();
const entry = pathToFileURL(process.cwd() + '/scratch-w.ts').href;
const boot = `const { register } = await import(${JSON.stringify(pathToFileURL(process.cwd()+'/node_modules/tsx/dist/esm/api/index.mjs').href)}); register(); await import(${JSON.stringify(entry)});`;
const w = new Worker(boot, { eval: true, type: 'module' });
w.on('message', (m) => { console.log(m, performance.now() - t0); w.terminate(); });
w.on('error', (e) => console.log('err', e));
