/**
 * Alerts of `netready monitor --webhook` (issue 19): each confirmed change POSTed as JSON — in the incoming-webhook shape
 * of Slack (`hooks.slack.com`) and Microsoft Teams (`*.webhook.office.com`) for those hosts — one at a time, in order,
 * retried with growing pauses when the receiver fails or is unreachable, from a bounded queue (the oldest alert is
 * dropped, and said so, when a receiver stays down through a flood of changes).
 */
import { describeGroup, type ChangeGroup } from '../../lib/monitor/changes';

/** The receiver's kind, by its host. */
export type WebhookKind = 'slack' | 'teams' | 'json';

/** Which shape a webhook URL gets. */
export function webhookKind(url: string): WebhookKind {
  const host = new URL(url).hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if (host.endsWith('.webhook.office.com') || host === 'outlook.office.com') return 'teams';
  return 'json';
}

/** One alert: the site and its change event (the changes one check confirmed with one window). */
export interface Alert {
  site: string;
  change: ChangeGroup;
}

/** The body an alert is sent as, for a receiver of `kind`. */
export function alertBody(alert: Alert, kind: WebhookKind): unknown {
  const line = `netready monitor, ${alert.site}: ${describeGroup(alert.change)}`;
  const links = [alert.change.before.resultUrl && `before: ${alert.change.before.resultUrl}`, alert.change.after.resultUrl && `after: ${alert.change.after.resultUrl}`].filter(Boolean).join(' · ');
  const text = links ? `${line}\n${links}` : line;
  if (kind === 'slack') return { text };
  if (kind === 'teams') return { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: line, title: `netready monitor: ${alert.site}`, text: text.replace('\n', '\n\n') };
  return { type: 'netready.monitor.change', site: alert.site, summary: line, change: alert.change };
}

/** Options of WebhookSender. */
export interface WebhookSenderOptions {
  url: string;
  /** Alerts waiting at most; beyond it the oldest is dropped. Default 100. */
  maxQueue?: number;
  /** Tries per alert before it is given up. Default 5. */
  maxAttempts?: number;
  /** Pause before the second try, ms, doubled for each next one. Default 2000. */
  firstRetryMs?: number;
  /** Deadline of one POST, ms. Default 10000. */
  timeoutMs?: number;
  /** An alert went out (its id, for the history). */
  onDelivered?(id: number): void;
  /** Something to log: a retry, a dropped or given-up alert. */
  log?(message: string): void;
}

/** Sends alerts one at a time, in order (see the module comment). */
export class WebhookSender {
  readonly #options: Required<Omit<WebhookSenderOptions, 'onDelivered' | 'log'>> & Pick<WebhookSenderOptions, 'onDelivered' | 'log'>;
  readonly #kind: WebhookKind;
  readonly #queue: Array<{ id: number; alert: Alert }> = [];
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(options: WebhookSenderOptions) {
    this.#options = { maxQueue: 100, maxAttempts: 5, firstRetryMs: 2000, timeoutMs: 10_000, ...options };
    this.#kind = webhookKind(options.url);
  }

  /** Queues an alert (its history id) and starts sending when idle. */
  send(id: number, alert: Alert): void {
    if (this.#stopped) return;
    this.#queue.push({ id, alert });
    while (this.#queue.length > this.#options.maxQueue) {
      // The first alert is the one being sent while the sender runs: drop the oldest one waiting behind it.
      const [dropped] = this.#queue.splice(this.#running ? 1 : 0, 1) as [{ id: number; alert: Alert }];
      this.#options.log?.(`webhook: queue full (${this.#options.maxQueue}), dropped the alert "${describeGroup(dropped.alert.change)}"`);
    }
    this.#running ??= this.#drain().finally(() => (this.#running = null));
  }

  /** Resolves when every queued alert was sent or given up. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops sending (waits for the POST in flight); queued alerts stay unsent (the history resends them next start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stopped) {
      const { id, alert } = this.#queue[0]!;
      if (await this.#deliver(alert)) this.#options.onDelivered?.(id);
      // Only now: the alert being sent stays first in the queue, so a flood drops the ones waiting, never it.
      this.#queue.shift();
    }
  }

  async #deliver(alert: Alert): Promise<boolean> {
    const body = JSON.stringify(alertBody(alert, this.#kind));
    for (let attempt = 1; attempt <= this.#options.maxAttempts && !this.#stopped; attempt++) {
      let problem: string;
      try {
        const response = await fetch(this.#options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      }
      if (attempt === this.#options.maxAttempts) {
        this.#options.log?.(`webhook: gave up on the alert "${describeGroup(alert.change)}" after ${attempt} tries (${problem})`);
        return false;
      }
      const pause = this.#options.firstRetryMs * 2 ** (attempt - 1);
      this.#options.log?.(`webhook: try ${attempt} failed (${problem}); retrying in ${pause} ms`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    return false;
  }
}
