import type { NestExpressApplication } from '@nestjs/platform-express';
import { ErrorShape, HttpErrorFilter } from './http-error.filter';
import { jsonBodyParser } from './json-body-parser';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  /** Largest JSON body accepted; larger ones get 413 `payload_too_large`. */
  bodyLimit: string;
  /** Error renderings for surfaces that promise another shape (paths by prefix). */
  errorShapes?: ErrorShape[];
}

/** The HTTP conventions both apps share: body limits, strict validation, one error shape. */
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions): void {
  app.use(jsonBodyParser(options.bodyLimit));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(options.errorShapes));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
}
