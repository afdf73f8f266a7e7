import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import { ErrorShape, HttpErrorFilter, UnmatchedPaths } from './http-error.filter';
import { Logger } from 'nestjs-pino';
import { assignRequestId, enterRequestContext } from '../logging/request-context';
import { RequestLog } from '../logging/request-log';
import { quietStartUp } from '../logging/start-up-lines';
import { HttpMetrics } from '../metrics/http.metrics';
import { BodyBudget, byteCount } from './body-budget';
import { HttpLimits, limitConnections } from './connection-limits';
import { rejectControlCharacters } from './control-characters';
import { BodyLimits, jsonBodyParser } from './json-body-parser';
import { noFramingOfDocs } from './no-framing';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  /** Largest JSON bodies accepted; larger ones get 413 `payload_too_large`. */
  bodyLimits: Omit<BodyLimits, 'maxContainers'>;
  /** What one client may hold of the process: connections, time, bodies in flight. */
  limits: HttpLimits;
  /** Checks on the headers alone (authentication), run before any body is read. */
  beforeBody?: (app: NestExpressApplication) => RequestHandler[];
  /** Error renderings for surfaces that promise another shape (paths by prefix). */
  errorShapes?: ErrorShape[];
  /** How a path no route serves is answered (default: 404 in our shape, Nest's message). */
  unmatched?: UnmatchedPaths;
}

/**
 * The HTTP conventions both apps share: JSON logs with request ids, request metrics, no control
 * characters in URLs, limits per client, body limits, strict validation, one error shape.
 */
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions): void {
  const { limits } = options;
  limitConnections(app.getHttpServer(), limits);
  app.useLogger(quietStartUp(app.get(Logger)));
  app.use(app.get(HttpMetrics).middleware());
  app.use(assignRequestId);
  app.use(app.get(RequestLog).middleware());
  app.use(noFramingOfDocs);
  app.use(rejectControlCharacters);
  for (const handler of options.beforeBody?.(app) ?? []) app.use(handler);
  const budget = new BodyBudget(
    byteCount(limits.bodyBytesInFlight),
    byteCount(limits.bodyBytesPerAddress),
  );
  app.use(
    jsonBodyParser({ ...options.bodyLimits, maxContainers: limits.bodyMaxContainers }, budget),
  );
  app.use(enterRequestContext);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(options.errorShapes, options.unmatched));
  app.disable('x-powered-by');
}
