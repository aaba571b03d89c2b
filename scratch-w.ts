import { parentPort } from 'node:worker_threads';
const x: number = 5;
parentPort?.postMessage({ hello: x });
