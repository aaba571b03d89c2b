/**
 * The deep check's media permission (issue 11). Browsers show a page its network interfaces only after it was
 * allowed to use the microphone or camera (Chromium: raw host candidates on every interface for a new
 * RTCPeerConnection; shared/DESIGN.md "Interfaces"). netready asks for the microphone (the camera when there is
 * none), records no audio or video, and stops every track at once. Browser-only.
 */
import type { MediaAccessReport } from '../../lib/probes/types';

/** The minimal browser surface requestMediaAccess needs (injected in tests). */
export interface MediaAccessHost {
  isSecureContext: boolean;
  /** The page's origin, for the "not a secure context" explanation. */
  origin: string;
  mediaDevices?: { getUserMedia(constraints: { audio?: boolean; video?: boolean }): Promise<{ getTracks(): Array<{ stop(): void }> }> };
}

function describeError(error: unknown): { name: string; text: string } {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : 'Error';
  const message = typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  return { name, text: message ? `${name}: ${message}` : name };
}

/**
 * Asks for media permission once and releases what it got at once. Never rejects: every outcome is a report —
 * `granted`; `denied` (NotAllowedError / SecurityError: the person or a policy said no) with the DOMException name
 * and message; `unavailable` when the page cannot ask (not a secure context, no mediaDevices) or there is no device
 * (NotFoundError), saying exactly which.
 */
export async function requestMediaAccess(host: MediaAccessHost): Promise<MediaAccessReport> {
  if (!host.isSecureContext || !host.mediaDevices) {
    const why = host.isSecureContext ? 'this browser offers no navigator.mediaDevices' : `the page is ${host.origin}/, not a secure context`;
    return { requested: true, state: 'unavailable', error: `${why}: browsers allow microphone access only on https:// or localhost` };
  }
  const ask = async (constraints: { audio?: boolean; video?: boolean }): Promise<void> => {
    const stream = await host.mediaDevices!.getUserMedia(constraints);
    // Nothing is recorded: the permission is what reveals the interfaces, so the device is released at once.
    for (const track of stream.getTracks()) track.stop();
  };
  try {
    await ask({ audio: true });
    return { requested: true, state: 'granted' };
  } catch (audioError) {
    let error = audioError;
    if (describeError(audioError).name === 'NotFoundError') {
      // No microphone: the camera's permission reveals the interfaces just as well.
      try {
        await ask({ video: true });
        return { requested: true, state: 'granted' };
      } catch (videoError) {
        error = videoError;
      }
    }
    const { name, text } = describeError(error);
    if (name === 'NotAllowedError' || name === 'SecurityError') return { requested: true, state: 'denied', error: text };
    if (name === 'NotFoundError') return { requested: true, state: 'unavailable', error: `no microphone or camera (${text})` };
    return { requested: true, state: 'unavailable', error: text };
  }
}

/** The real browser as a MediaAccessHost. */
export function browserMediaHost(): MediaAccessHost {
  return {
    isSecureContext: window.isSecureContext,
    origin: window.location.origin,
    ...(navigator.mediaDevices ? { mediaDevices: navigator.mediaDevices } : {}),
  };
}
