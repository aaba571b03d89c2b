/**
 * An in-page check used by the TURN interop tests: two relay-only RTCPeerConnections in one page, each with
 * the same single TURN URL, connect to each other through the TURN server's relays and exchange DataChannel
 * messages. Passed to page.evaluate, so it must be self-contained (no imports, no closures).
 */

/** Input of relayPairCheck. */
export interface RelayPairInput {
  url: string;
  username: string;
  credential: string;
  messages: number;
  timeoutMs: number;
}

/** Output of relayPairCheck. */
export interface RelayPairOutput {
  relayCandidates: string[];
  errors: Array<{ errorCode: number; errorText: string; url: string }>;
  received: number;
  selectedLocal?: { candidateType?: string; relayProtocol?: string; url?: string };
  failure?: string;
}

/** Runs in the page. */
export async function relayPairCheck(input: RelayPairInput): Promise<RelayPairOutput> {
  const out: RelayPairOutput = { relayCandidates: [], errors: [], received: 0 };
  const config: RTCConfiguration = {
    iceServers: [{ urls: input.url, username: input.username, credential: input.credential }],
    iceTransportPolicy: 'relay',
  };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timeout after ${input.timeoutMs} ms`)), input.timeoutMs));
  try {
    for (const [pc, other] of [
      [a, b],
      [b, a],
    ] as const) {
      pc.addEventListener('icecandidate', (e) => {
        if (!e.candidate) return;
        if (e.candidate.type === 'relay') out.relayCandidates.push(e.candidate.candidate);
        void other.addIceCandidate(e.candidate).catch(() => undefined);
      });
      pc.addEventListener('icecandidateerror', (e) => {
        const err = e as RTCPeerConnectionIceErrorEvent;
        out.errors.push({ errorCode: err.errorCode, errorText: err.errorText, url: err.url });
      });
    }
    const channel = a.createDataChannel('interop');
    const received = new Promise<void>((resolve) => {
      b.addEventListener('datachannel', (e) => {
        e.channel.addEventListener('message', () => {
          out.received++;
          if (out.received === input.messages) resolve();
        });
      });
    });
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    await Promise.race([new Promise<void>((resolve) => channel.addEventListener('open', () => resolve())), timer]);
    for (let i = 0; i < input.messages; i++) channel.send(`message ${i}`);
    await Promise.race([received, timer]);
    const stats = await a.getStats();
    let pairId: string | undefined;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? stats.get(pairId) : undefined;
    const local = pair ? stats.get(pair.localCandidateId) : undefined;
    if (local) out.selectedLocal = { candidateType: local.candidateType, relayProtocol: local.relayProtocol, url: local.url };
  } catch (error) {
    out.failure = String(error);
  } finally {
    a.close();
    b.close();
  }
  return out;
}
