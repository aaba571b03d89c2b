/**
 * One log line and one counted answer per HTTP request, for the probe's listeners and the web app alike: a request id
 * (the client's `X-Request-Id` when short and safe, else a fresh one) is put on the request for the handlers and
 * echoed in the response; when the answer is sent the line names the method, route, status, duration, the (cut)
 * client address, and the session when one is known.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { requestIdOf, type Logger } from './logger';

/** Request header carrying the request id (set on the request for the handlers, echoed in the response). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What is known about a request while it is handled; handlers may add the session they worked on. */
export interface ExchangeContext {
  /** This request's id. */
  requestId: string;
  /** The test session the request concerns, once known. */
  sessionId?: string;
}

/** Options of observeHttpExchange. */
export interface ObserveOptions {
  /** Where the line goes. */
  logger: Logger;
  /** Route pattern (bounded: `/v1/sessions/:id/peers`, never the raw path) for the log line and metrics. */
  route: string;
  /** The client address as the listener sees it (cut by the logger's serializer unless configured `full`). */
  clientAddress: string;
  /** Level of the line (`debug` for noisy routes such as static files). Default `info`. */
  level?: 'debug' | 'info';
  /** Called once with the status when the answer has been sent. */
  onAnswer?: (status: number) => void;
}

/**
 * Starts observing one request: assigns the request id (also written into the request's `x-request-id` header, so
 * handlers that see only headers can log it), echoes it in the response, and logs + counts when the answer is sent.
 * A request the client abandons before the answer is logged at debug as `http request aborted`.
 */
export function observeHttpExchange(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, options: ObserveOptions): ExchangeContext {
  const context: ExchangeContext = { requestId: requestIdOf(req.headers[REQUEST_ID_HEADER]) };
  req.headers[REQUEST_ID_HEADER] = context.requestId;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, context.requestId);
  const started = performance.now();
  const method = req.method ?? 'GET';
  let path = '/';
  try {
    // The path without its query string: queries carry labels and ids nobody needs in a log.
    path = new URL(req.url ?? '/', 'http://request.invalid').pathname;
  } catch {
    // An unparsable target is logged as "/".
  }
  let done = false;
  const fields = () => ({
    requestId: context.requestId,
    ...(context.sessionId ? { sessionId: context.sessionId } : {}),
    method,
    route: options.route,
    path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
    clientAddress: options.clientAddress,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  });
  res.once('finish', () => {
    done = true;
    options.onAnswer?.(res.statusCode);
    options.logger[options.level ?? 'info']({ ...fields(), status: res.statusCode }, 'http request');
  });
  res.once('close', () => {
    if (!done) options.logger.debug(fields(), 'http request aborted');
  });
  return context;
}
