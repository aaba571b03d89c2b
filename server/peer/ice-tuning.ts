/**
 * The media peer follows the browser's latest ICE nomination, as libwebrtc's controlled side does.
 *
 * werift 0.24 (controlled) keeps the first pair the browser nominated for good (`Connection.checkComplete`: "disallow
 * overwriting of the pair nominated"), while Chromium (controlling) moves its selected pair when a better one becomes
 * usable and nominates that with USE-CANDIDATE. On a slow, lossy path the first nominated pair can be a TURN relay
 * while the browser soon sends directly: seen in the lab's lossy-latent row, where the stream towards the server went
 * to the media peer's port directly but the stream from it came back through the relay (the router's counters of the
 * media peer's flow saw 9 packets from it instead of ≈ 400). Calls (and the measurement) must use one path both ways,
 * the browser's. So when the browser nominates another pair that has succeeded, werift's `nominated` — the pair it
 * sends on (`Connection.send`) and checks consent on — becomes that pair.
 */
import { CandidatePairState } from 'werift';

/** The parts of werift's ICE `Connection` this module touches. */
interface WeriftIceConnection {
  iceControlling: boolean;
  nominated?: WeriftPair;
  checkComplete(pair: WeriftPair): void;
}

interface WeriftPair {
  state: number;
  nominated: boolean;
  remoteNominated: boolean;
}

const patched = new WeakSet<object>();

/**
 * Makes `connection` switch to a pair the browser nominates after the first (idempotent); `onSwitch` hears each
 * switch. Returns false (nothing changed) when the connection does not have werift 0.24's shape.
 */
export function followLatestNomination(connection: unknown, onSwitch?: (pair: unknown) => void): boolean {
  const c = connection as Partial<WeriftIceConnection> | undefined;
  if (!c || typeof c.checkComplete !== 'function' || typeof c.iceControlling !== 'boolean') return false;
  if (patched.has(c)) return true;
  patched.add(c);
  const original = c.checkComplete;
  c.checkComplete = function (this: WeriftIceConnection, pair: WeriftPair): void {
    const current = c.nominated;
    if (!c.iceControlling && current && current !== pair && pair.state === CandidatePairState.SUCCEEDED && pair.nominated && pair.remoteNominated) {
      c.nominated = pair;
      onSwitch?.(pair);
    }
    original.call(c, pair);
  };
  return true;
}
