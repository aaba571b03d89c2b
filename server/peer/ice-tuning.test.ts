import { CandidatePairState } from 'werift';
import { describe, expect, it } from 'vitest';
import { followLatestNomination } from './ice-tuning';

interface Pair {
  id: string;
  state: number;
  nominated: boolean;
  remoteNominated: boolean;
}

/** werift 0.24's rule: the first nominated pair is kept for good. */
function fakeConnection(iceControlling = false) {
  const connection = {
    iceControlling,
    nominated: undefined as Pair | undefined,
    checkComplete(pair: Pair): void {
      if (pair.state === CandidatePairState.SUCCEEDED && pair.nominated && connection.nominated === undefined) connection.nominated = pair;
    },
  };
  return connection;
}

const pair = (id: string, state = CandidatePairState.SUCCEEDED, remoteNominated = true): Pair => ({ id, state, nominated: remoteNominated, remoteNominated });

describe('followLatestNomination', () => {
  it('moves the media peer to the pair the browser nominates later (werift would keep the first)', () => {
    const connection = fakeConnection();
    const switched: unknown[] = [];
    expect(followLatestNomination(connection, (p) => switched.push(p))).toBe(true);
    const relay = pair('relay');
    const direct = pair('direct');
    connection.checkComplete(relay);
    expect(connection.nominated).toBe(relay);
    connection.checkComplete(direct);
    expect(connection.nominated).toBe(direct);
    expect(switched).toEqual([direct]);
  });

  it('keeps the pair for a check that succeeded without the browser nominating it, or did not succeed', () => {
    const connection = fakeConnection();
    followLatestNomination(connection);
    const first = pair('first');
    connection.checkComplete(first);
    connection.checkComplete(pair('not-nominated', CandidatePairState.SUCCEEDED, false));
    connection.checkComplete(pair('failed', CandidatePairState.FAILED));
    expect(connection.nominated).toBe(first);
  });

  it('changes nothing on the controlling side or on an object of another shape', () => {
    const controlling = fakeConnection(true);
    followLatestNomination(controlling);
    const first = pair('first');
    controlling.checkComplete(first);
    controlling.checkComplete(pair('second'));
    expect(controlling.nominated).toBe(first);
    expect(followLatestNomination({})).toBe(false);
  });
});
