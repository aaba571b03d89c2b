/**
 * Describes the client from its User-Agent string (ua-parser-js 1.x — MIT; 2.x is AGPL, never upgrade).
 */
import { UAParser } from 'ua-parser-js';
import type { ClientInfo } from '../schema/result';

/** Parses a User-Agent into the result's `client` block. */
export function describeClient(userAgent: string): ClientInfo {
  const parsed = new UAParser(userAgent).getResult();
  const client: ClientInfo = { userAgent: userAgent.slice(0, 1000) };
  if (parsed.browser.name) client.browser = parsed.browser.name;
  if (parsed.browser.version) client.browserVersion = parsed.browser.version;
  if (parsed.os.name) client.os = parsed.os.name;
  if (parsed.os.version) client.osVersion = parsed.os.version;
  return client;
}
