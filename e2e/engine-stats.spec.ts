/**
 * Issue 18 item 5: what each browser engine really reports — its ICE candidates, `icecandidateerror` events and
 * getStats local candidates — recorded by the suite itself against the test stack, in Chromium and in Firefox ESR.
 * The record is reduced to its shape (which fields each engine gives, which error codes and texts, for which kind of
 * URL) and compared with the copy the unit tests read (lib/probes/testing/engine-stats/<engine>.json,
 * lib/probes/engine-stats.test.ts), so a browser update that changes what netready reads fails here, not in the
 * field. `NETREADY_RECORD_ENGINE_STATS=1` writes the copy instead (review the diff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SessionSchema } from '../lib/schema/session';
import { engineShape, type EngineRecord } from '../lib/probes/testing/engine-shape';
import { expect, test } from './support/fixtures';
import { REPO_ROOT } from './support/stack';

/** A name under the reserved `.invalid` TLD (RFC 6761): its lookup fails everywhere, without any traffic. */
const UNRESOLVABLE_TURN = 'turn:netready-engine-stats.invalid:3478';
/**
 * TCP port 2 on loopback: nothing listens, the connection is refused at once. (Not 9 or 1: Firefox refuses ICE server
 * URLs on the ports browsers block for fetch, and the constructor throws.)
 */
const REFUSED_TURN = 'turn:127.0.0.1:2?transport=tcp';

test('each engine\'s candidates, ICE errors and getStats fields are what netready reads (recorded, compared with the unit tests\' copy)', async ({ page, browserName, e2eStack }) => {
  const session = SessionSchema.parse(await (await fetch(`${e2eStack.probeUrl}/v1/sessions`, { method: 'POST', body: '{}' })).json());
  const udp = session.turn.find((t) => t.transport === 'udp')!;
  const tcp = session.turn.find((t) => t.transport === 'tcp')!;
  const stun = session.stun.find((s) => s.role === 'turn')!;
  await page.goto(`${e2eStack.webUrl}/`);
  const record = (await page.evaluate(
    async ({ servers, waitMs }) => {
      const pc = new RTCPeerConnection({ iceServers: servers });
      const candidates: EngineRecord['candidates'] = [];
      const errors: EngineRecord['errors'] = [];
      pc.addEventListener('icecandidate', (event) => {
        const c = event.candidate;
        if (!c || !c.candidate) return;
        const cc = c as RTCIceCandidate & { url?: string | null; relayProtocol?: string | null };
        candidates.push({ type: c.type ?? null, protocol: c.protocol ?? null, eventUrl: (event as RTCPeerConnectionIceEvent & { url?: string | null }).url ?? null, candidateUrl: cc.url ?? null, relayProtocol: cc.relayProtocol ?? null, line: c.candidate });
      });
      pc.addEventListener('icecandidateerror', (event) => {
        const e = event as RTCPeerConnectionIceErrorEvent;
        errors.push({ errorCode: e.errorCode, errorText: e.errorText ?? '', url: e.url ?? '' });
      });
      pc.createDataChannel('engine-stats');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const stats: EngineRecord['stats'] = [];
      (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
        if (entry.type === 'local-candidate') stats.push({ ...entry });
      });
      pc.close();

      // A connected pair: two peer connections of this page over their host candidates, a message each way.
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      a.addEventListener('icecandidate', (e) => void (e.candidate && b.addIceCandidate(e.candidate)));
      b.addEventListener('icecandidate', (e) => void (e.candidate && a.addIceCandidate(e.candidate)));
      const channel = a.createDataChannel('engine-stats-pair');
      const echoed = new Promise<void>((resolve) => {
        b.addEventListener('datachannel', (e) => e.channel.addEventListener('message', (m) => e.channel.send(String(m.data))));
        channel.addEventListener('message', () => resolve());
        channel.addEventListener('open', () => channel.send('ping'));
      });
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription!);
      await Promise.race([echoed, new Promise((resolve) => setTimeout(resolve, waitMs))]);
      const connected: EngineRecord['connected'] = [];
      (await a.getStats()).forEach((entry: Record<string, unknown>) => {
        if (entry.type === 'candidate-pair' || entry.type === 'transport') connected.push({ ...entry });
      });
      a.close();
      b.close();
      return { candidates, errors, stats, connected };
    },
    {
      servers: [
        { urls: stun.url },
        { urls: udp.url, username: udp.username, credential: udp.credential },
        { urls: tcp.url, username: tcp.username, credential: tcp.credential },
        { urls: UNRESOLVABLE_TURN, username: udp.username, credential: udp.credential },
        { urls: REFUSED_TURN, username: tcp.username, credential: tcp.credential },
      ],
      waitMs: 8000,
    },
  )) as Pick<EngineRecord, 'candidates' | 'errors' | 'stats' | 'connected'>;

  const engine = browserName === 'firefox' ? 'firefox' : 'chromium';
  const shape = engineShape({ engine, ...record });
  // What netready depends on, stated outright (the copy below holds the rest).
  expect(shape.candidateTypes).toContain('relay');
  expect(shape.pairFields, 'a connected pair says its state').toContain('state');
  expect(shape.errors.some((e) => e.urlKind === 'name' && e.errorCode === 701), 'a TURN name that does not resolve gives error 701').toBe(true);

  const file = path.join(REPO_ROOT, 'lib', 'probes', 'testing', 'engine-stats', `${engine}.json`);
  if (process.env.NETREADY_RECORD_ENGINE_STATS === '1') {
    writeFileSync(file, `${JSON.stringify(shape, null, 2)}\n`);
    return;
  }
  const copy = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  expect(shape, `${engine} reports differently from ${path.relative(REPO_ROOT, file)}: re-record with NETREADY_RECORD_ENGINE_STATS=1 and fix what reads it`).toEqual(copy);
});
