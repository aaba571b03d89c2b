import { describe, expect, it } from 'vitest';
import { requestMediaAccess, type MediaAccessHost } from './media-access';

/** A host whose getUserMedia answers per kind: a stream (tracks counted as stopped) or a DOMException name. */
function host(answers: { audio: 'ok' | string; video?: 'ok' | string }, secure = true) {
  const stopped: string[] = [];
  const asked: string[] = [];
  const h: MediaAccessHost = {
    isSecureContext: secure,
    origin: 'http://192.0.2.5:3000',
    mediaDevices: {
      getUserMedia: async (constraints) => {
        const kind = constraints.audio ? 'audio' : 'video';
        asked.push(kind);
        const answer = answers[kind] ?? 'NotFoundError';
        if (answer !== 'ok') throw new DOMException(`${answer} for ${kind}`, answer);
        return { getTracks: () => [{ stop: () => stopped.push(kind) }] };
      },
    },
  };
  return { h, stopped, asked };
}

describe('requestMediaAccess', () => {
  it('reports granted and stops the microphone track at once', async () => {
    const { h, stopped } = host({ audio: 'ok' });
    expect(await requestMediaAccess(h)).toEqual({ requested: true, state: 'granted' });
    expect(stopped).toEqual(['audio']);
  });

  it('falls back to the camera when there is no microphone, and stops it too', async () => {
    const { h, stopped, asked } = host({ audio: 'NotFoundError', video: 'ok' });
    expect(await requestMediaAccess(h)).toEqual({ requested: true, state: 'granted' });
    expect(asked).toEqual(['audio', 'video']);
    expect(stopped).toEqual(['video']);
  });

  it.each([
    [{ audio: 'NotAllowedError' }, { state: 'denied', error: 'NotAllowedError: NotAllowedError for audio' }],
    [{ audio: 'SecurityError' }, { state: 'denied', error: 'SecurityError: SecurityError for audio' }],
    [{ audio: 'NotFoundError', video: 'NotFoundError' }, { state: 'unavailable', error: 'no microphone or camera (NotFoundError: NotFoundError for video)' }],
    [{ audio: 'NotFoundError', video: 'NotAllowedError' }, { state: 'denied', error: 'NotAllowedError: NotAllowedError for video' }],
    [{ audio: 'NotReadableError' }, { state: 'unavailable', error: 'NotReadableError: NotReadableError for audio' }],
  ])('answers %j with %j', async (answers, expected) => {
    expect(await requestMediaAccess(host(answers).h)).toEqual({ requested: true, ...expected });
  });

  it('says the page is not a secure context, naming it, without asking', async () => {
    const { h, asked } = host({ audio: 'ok' }, false);
    const report = await requestMediaAccess(h);
    expect(report).toMatchObject({ requested: true, state: 'unavailable' });
    expect(report.error).toBe('the page is http://192.0.2.5:3000/, not a secure context: browsers allow microphone access only on https:// or localhost');
    expect(asked).toEqual([]);
  });

  it('says when the browser has no navigator.mediaDevices', async () => {
    const report = await requestMediaAccess({ isSecureContext: true, origin: 'https://netready.example.org' });
    expect(report).toMatchObject({ state: 'unavailable', error: expect.stringContaining('no navigator.mediaDevices') });
  });
});
