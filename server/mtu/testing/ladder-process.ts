/**
 * Test helper: an MTU ladder in a process of its own, so a test can run it inside a network namespace
 * (`ip netns exec <ns> node --import tsx server/mtu/testing/ladder-process.ts <ip> <sizes> <fragment sizes>`).
 * Prints `{"rungs": [...]}` once listening; answers each stdin line `report <client ip>` with
 * `{"stats": [...], "pathMtu": {...} | null}`; stops on SIGTERM or when stdin closes.
 */
import readline from 'node:readline';
import { MtuServer } from '../mtu-server';

const [ip = '127.0.0.1', sizes = '576,1280,1500', fragments = ''] = process.argv.slice(2);
const list = (text: string): number[] => text.split(',').filter(Boolean).map(Number);
const server = new MtuServer({ ipv4: ip, firstPort: 0, sizes: list(sizes), fragmentSizes: list(fragments) });

async function main(): Promise<void> {
  await server.listen();
  process.stdout.write(`${JSON.stringify({ rungs: server.rungs() })}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const client = /^report (\S+)$/.exec(line.trim())?.[1];
    if (!client) return;
    void server.pathMtuTo(client).then((pathMtu) => process.stdout.write(`${JSON.stringify({ stats: server.stats(), pathMtu })}\n`));
  });
  const stop = (): void => void server.close().then(() => process.exit(0));
  lines.on('close', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ladder-process: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
