/**
 * Test sessions known to this probe server: created by `POST /v1/sessions`, referenced by the media-peer
 * signalling and by TURN usernames (`<expiry>:<sessionId>`), forgotten after expiry. Bounded in size: at the cap
 * a new session is refused, never made by evicting a live one (issue 12: 10,200 creations from many addresses
 * used to evict another client's session in the middle of its run).
 */
import { randomBytes } from 'node:crypto';

/** A live session. */
export interface SessionRecord {
  id: string;
  createdAtMs: number;
  expiresAtMs: number;
  /** Client address as the HTTP server saw it. */
  clientAddress: string;
  /** Media peers created for this session. */
  peers: number;
  /** What the probe servers saw for this session (bounded, oldest dropped). */
  observations: Observation[];
}

/** Most observations kept per session. */
export const MAX_OBSERVATIONS_PER_SESSION = 200;

/**
 * One server-side observation correlated to a session: e.g. the TURN server saw an allocation over TCP from
 * 198.51.100.7:50123, or the media peer connected from relay 203.0.113.1:49200.
 */
export interface Observation {
  /** Which server saw it. */
  source: 'http' | 'turn' | 'peer';
  /** What happened, e.g. `allocation-created`, `peer-connected`. */
  kind: string;
  /** Milliseconds since the session was created. */
  atMs: number;
  data: Record<string, unknown>;
}

/** Options of SessionRegistry. */
export interface SessionRegistryOptions {
  /** Session lifetime in ms (matches the TURN credential TTL). */
  ttlMs: number;
  /** Most live sessions at once; {@link SessionRegistry.create} refuses more (config `probe.maxLiveSessions`). Default 10000. */
  maxSessions?: number;
  /** Clock (ms since epoch). Default Date.now. */
  now?: () => number;
  /** Told of every session opened (metrics and logs). */
  onCreate?: (record: SessionRecord) => void;
}

/** In-memory session table of one probe server. */
export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  private readonly onCreate: ((record: SessionRecord) => void) | undefined;

  /** Keeps the options; the table starts empty. */
  constructor(options: SessionRegistryOptions) {
    this.onCreate = options.onCreate;
    this.ttlMs = options.ttlMs;
    this.maxSessions = options.maxSessions ?? 10000;
    this.now = options.now ?? Date.now;
  }

  /** True when the table holds `maxSessions` live sessions (expired ones are swept first). */
  isFull(): boolean {
    this.sweep();
    return this.sessions.size >= this.maxSessions;
  }

  /**
   * Opens a session with a fresh random id (URL-safe, 128 bits), or returns null when the table is full: live
   * sessions are only ever forgotten at their expiry.
   */
  create(clientAddress: string): SessionRecord | null {
    if (this.isFull()) return null;
    const now = this.now();
    const record: SessionRecord = {
      id: randomBytes(16).toString('base64url'),
      createdAtMs: now,
      expiresAtMs: now + this.ttlMs,
      clientAddress,
      peers: 0,
      observations: [{ source: 'http', kind: 'session-created', atMs: 0, data: { clientAddress } }],
    };
    this.sessions.set(record.id, record);
    this.onCreate?.(record);
    return record;
  }

  /** The live session with this id, or null when unknown or expired. */
  get(id: string): SessionRecord | null {
    const record = this.sessions.get(id);
    if (!record) return null;
    if (record.expiresAtMs <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return record;
  }

  /** Records an observation for a live session; unknown or expired sessions are ignored. */
  observe(sessionId: string, observation: Omit<Observation, 'atMs'>): void {
    const record = this.get(sessionId);
    if (!record) return;
    if (record.observations.length >= MAX_OBSERVATIONS_PER_SESSION) record.observations.shift();
    record.observations.push({ ...observation, atMs: this.now() - record.createdAtMs });
  }

  /** Number of live sessions. */
  get size(): number {
    this.sweep();
    return this.sessions.size;
  }

  /** Forgets expired sessions (insertion order = expiry order, so stop at the first live one). */
  sweep(): void {
    const now = this.now();
    for (const [id, record] of this.sessions) {
      if (record.expiresAtMs > now) break;
      this.sessions.delete(id);
    }
  }
}
