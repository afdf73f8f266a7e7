import type { NestExpressApplication } from '@nestjs/platform-express';
import { ErrorShape, HttpErrorFilter, UnmatchedPaths } from './http-error.filter';
import { Logger } from 'nestjs-pino';
import { assignRequestId, enterRequestContext } from '../logging/request-context';
import { RequestLog } from '../logging/request-log';
import { quietStartUp } from '../logging/start-up-lines';
import { HttpMetrics } from '../metrics/http.metrics';
import { rejectControlCharacters } from './control-characters';
import { jsonBodyParser } from './json-body-parser';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  /** Largest JSON body accepted; larger ones get 413 `payload_too_large`. */
  bodyLimit: string;
  /** Error renderings for surfaces that promise another shape (paths by prefix). */
  errorShapes?: ErrorShape[];
  /** How a path no route serves is answered (default: 404 in our shape, Nest's message). */
  unmatched?: UnmatchedPaths;
}

/**
 * The HTTP conventions both apps share: JSON logs with request ids, request metrics, no control
 * characters in URLs, body limits, strict validation, one error shape.
 */
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions): void {
  app.useLogger(quietStartUp(app.get(Logger)));
  app.use(app.get(HttpMetrics).middleware());
  app.use(assignRequestId);
  app.use(app.get(RequestLog).middleware());
  app.use(rejectControlCharacters);
  app.use(jsonBodyParser(options.bodyLimit));
  app.use(enterRequestContext);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(options.errorShapes, options.unmatched));
  app.disable('x-powered-by');
}
