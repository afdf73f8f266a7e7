import type { AnswerReading, AnswerTranslation } from '../metering/metered-answer';
import type { StreamDialect } from '../metering/metered-stream';
import type { OtherApiRequest } from '../upstreams/routed-exchange';
import type { UpstreamApi } from '../upstreams/upstream-routes';

/**
 * A client's call put in the API its upstream speaks: what is sent (path, body, headers), how the
 * upstream's answer is metered (read in the upstream's terms, so the charge is priced from the
 * usage the serving upstream reported) and how it is put back in the client's shape.
 */
export interface TranslatedCall {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** The charge's metadata: the upstream's API, and the client's. */
  metadata: { api: UpstreamApi; client_api: UpstreamApi };
  /** A new stream's dialect: reads the upstream's events, writes the client's. */
  streamDialect(): StreamDialect;
  /** Reads a whole answer of the upstream. */
  read(answer: Record<string, unknown>): AnswerReading;
  translation: AnswerTranslation;
}

/** What is sent to a deployment of the upstream's API (see RoutedExchange.send). */
export function viaRequest(call: TranslatedCall): OtherApiRequest {
  const { path, body, headers } = call;
  return { api: call.metadata.api, path, body, headers };
}
