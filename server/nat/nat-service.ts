/**
 * The server's side of the nat probe (issue 11; lib/probes/nat.ts): which Binding requests each of its STUN endpoints
 * answered, by client address — the browser's gathering requests carry no username, so the client address is the only
 * key — and the filtering checks (lib/protocol/nat/filtering.ts) sent from the TURN server's UDP sockets. The STUN
 * endpoints themselves are UDP listeners of the TURN server (stun-only), which reports each Binding it answered.
 */
import { randomBytes } from 'node:crypto';
import { FILTERING_WAIT_MS, FilteringRun, type FilteringCheckResult, type FilteringRole } from '../../lib/protocol/nat/filtering';
import { canonicalIp, type Endpoint } from '../../lib/protocol/stun/ip';
import type { FiveTuple } from '../../lib/protocol/turn/server';
import type { NatBindingSeen, NatRole } from '../../lib/schema/session';
import { nodeStunCrypto } from '../turn/node-crypto';

/** How long a Binding seen is kept, ms: the nat probe asks within seconds of its requests. */
export const NAT_BINDING_TTL_MS = 120_000;
/** Bindings kept per client address (the newest): one browser's run makes a handful per endpoint. */
export const NAT_BINDINGS_PER_CLIENT = 64;
/** Client addresses tracked at once (the oldest is forgotten past it), so a flood cannot grow memory without bound. */
export const NAT_MAX_CLIENTS = 20_000;
/** Filtering runs at once, all sessions together (each holds an HTTP request for up to FILTERING_WAIT_MS). */
export const NAT_MAX_CONCURRENT_FILTERING = 64;

/** One endpoint of the nat probe: its role and the socket address it is bound at (as the TURN server reports it). */
export interface NatEndpointBinding {
  role: NatRole;
  bound: Endpoint;
}

/** Why a filtering run was refused (the API maps these to its error codes). */
export class NatFilteringError extends Error {
  constructor(
    readonly code: 'mapping-not-seen' | 'busy' | 'no-endpoints',
    message: string,
  ) {
    super(message);
    this.name = 'NatFilteringError';
  }
}

interface Seen {
  role: NatRole;
  address: string;
  port: number;
  atMs: number;
}

const keyOf = (e: Endpoint): string => `${canonicalIp(e.ip)}|${e.port}`;

/** The nat probe's server side. Opens nothing itself: the TURN server owns the sockets (`send` is its sendUdpFrom). */
export class NatService {
  private readonly roleByBound = new Map<string, NatRole>();
  private readonly byClient = new Map<string, Seen[]>();
  private readonly runs = new Set<{ run: FilteringRun; finish: () => void }>();
  private readonly now: () => number;

  constructor(
    private readonly options: {
      endpoints: NatEndpointBinding[];
      /** Sends one datagram from the UDP listener bound at `from` (TurnServer.sendUdpFrom). */
      send: (from: Endpoint, to: Endpoint, data: Uint8Array) => boolean;
      now?: () => number;
      /** How long a filtering run waits for answers, ms. Default FILTERING_WAIT_MS. */
      filteringWaitMs?: number;
    },
  ) {
    this.now = options.now ?? Date.now;
    for (const endpoint of options.endpoints) this.roleByBound.set(keyOf(endpoint.bound), endpoint.role);
  }

  /** Records a Binding request the TURN server answered (its `binding` event), if it arrived at a nat endpoint. */
  recordBinding(client: Endpoint, server: Endpoint): void {
    const role = this.roleByBound.get(keyOf(server));
    if (!role) return;
    const address = canonicalIp(client.ip);
    const nowMs = this.now();
    const list = this.byClient.get(address) ?? [];
    // Chromium repeats Binding requests to keep its candidates alive; the same source on the same endpoint is one mapping.
    const same = list.find((s) => s.role === role && s.port === client.port);
    if (same) same.atMs = nowMs;
    else list.push({ role, address, port: client.port, atMs: nowMs });
    if (list.length > NAT_BINDINGS_PER_CLIENT) list.splice(0, list.length - NAT_BINDINGS_PER_CLIENT);
    // Re-inserting moves the address to the end: the Map's order is the forgetting order.
    this.byClient.delete(address);
    this.byClient.set(address, list);
    if (this.byClient.size > NAT_MAX_CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
  }

  /** The Bindings seen from `ips` at or after `sinceMs` (epoch ms), with times relative to it. */
  bindingsSince(ips: string[], sinceMs: number): NatBindingSeen[] {
    const out: NatBindingSeen[] = [];
    for (const ip of new Set(ips.map((i) => canonicalIp(i)))) {
      for (const seen of this.byClient.get(ip) ?? []) {
        if (seen.atMs >= sinceMs && this.now() - seen.atMs <= NAT_BINDING_TTL_MS) out.push({ role: seen.role, address: seen.address, port: seen.port, atMs: seen.atMs - sinceMs });
      }
    }
    return out;
  }

  /** Forgets what is older than NAT_BINDING_TTL_MS. */
  sweep(): void {
    const oldest = this.now() - NAT_BINDING_TTL_MS;
    for (const [ip, list] of this.byClient) {
      const kept = list.filter((s) => s.atMs >= oldest);
      if (kept.length === 0) this.byClient.delete(ip);
      else if (kept.length !== list.length) this.byClient.set(ip, kept);
    }
  }

  /** Where the filtering checks can come from (the alternate port and the second address, where configured). */
  filteringRoles(): FilteringRole[] {
    return this.options.endpoints.filter((e): e is NatEndpointBinding & { role: FilteringRole } => e.role === 'alt-port' || e.role === 'alt-address').map((e) => e.role);
  }

  /**
   * Sends the filtering checks to `target` — which must be a mapping the primary endpoint answered since `sinceMs`, so
   * the server never sends to an address that did not talk to it first — and resolves with what came back once every
   * check is answered or the wait is over.
   */
  async runFiltering(input: { target: Endpoint; browserUfrag: string; browserPwd: string; serverUfrag: string; sinceMs: number }): Promise<{ checks: FilteringCheckResult[]; waitedMs: number }> {
    const target = { ip: canonicalIp(input.target.ip), port: input.target.port };
    const seen = (this.byClient.get(target.ip) ?? []).some((s) => s.role === 'primary' && s.port === target.port && s.atMs >= input.sinceMs);
    if (!seen) throw new NatFilteringError('mapping-not-seen', `the primary STUN endpoint answered no Binding request from ${target.ip}:${target.port} in this session`);
    const from = this.options.endpoints.filter((e): e is NatEndpointBinding & { role: FilteringRole } => e.role === 'alt-port' || e.role === 'alt-address').map((e) => ({ role: e.role, endpoint: e.bound }));
    if (from.length === 0) throw new NatFilteringError('no-endpoints', 'this server has no alternate STUN port or address to send checks from');
    if (this.runs.size >= NAT_MAX_CONCURRENT_FILTERING) throw new NatFilteringError('busy', 'too many filtering checks are running; try again shortly');
    const run = new FilteringRun({
      target,
      from,
      credentials: { browserUfrag: input.browserUfrag, browserPwd: input.browserPwd, serverUfrag: input.serverUfrag },
      crypto: nodeStunCrypto,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    });
    const startedAt = this.now();
    const waitMs = this.options.filteringWaitMs ?? FILTERING_WAIT_MS;
    await new Promise<void>((resolve) => {
      let tickTimer: ReturnType<typeof setTimeout> | undefined;
      const entry = {
        run,
        finish: () => {
          clearTimeout(tickTimer);
          clearTimeout(endTimer);
          this.runs.delete(entry);
          resolve();
        },
      };
      const endTimer = setTimeout(entry.finish, waitMs);
      const send = (actions: ReturnType<FilteringRun['tick']>): void => {
        for (const action of actions) this.options.send(action.from, action.to, action.data);
        const next = run.nextTickAtMs();
        if (next !== null) tickTimer = setTimeout(() => send(run.tick(this.now())), Math.max(0, next - this.now()));
      };
      this.runs.add(entry);
      send(run.start(startedAt));
    });
    return { checks: run.result(), waitedMs: this.now() - startedAt };
  }

  /**
   * The TURN server's UDP tap: takes a datagram that answers a running check (consumed: the STUN core would drop it as
   * an unexpected response); everything else goes on to the core.
   */
  tap(data: Uint8Array, tuple: FiveTuple): boolean {
    for (const entry of this.runs) {
      if (!entry.run.owns(data)) continue;
      entry.run.offer(data, tuple.client, tuple.server, this.now());
      if (entry.run.done()) entry.finish();
      return true;
    }
    return false;
  }

  /** Ends every running check at once (server shutdown). */
  close(): void {
    for (const entry of [...this.runs]) entry.finish();
    this.byClient.clear();
  }
}
