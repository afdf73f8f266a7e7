import { DynamicModule, Global, LogLevel, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { RequestLog } from './request-log';
import { requestIdFields } from './request-context';

/** Nest's level names as pino's; the most verbose one asked for wins. */
const PINO_LEVELS: Record<LogLevel, string> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
const ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function pinoLevel(levels: LogLevel[]): string {
  const asked = levels.map((level) => PINO_LEVELS[level]);
  return ORDER.find((level) => asked.includes(level)) ?? 'error';
}

@Global()
@Module({})
class LoggingModule {}

/**
 * JSON logs on stdout (pino): one line per finished request with its id, route, status and time
 * (RequestLog), and every Nest `Logger` line written during a request bound to its id (`reqId`,
 * read from the request context by pino's mixin).
 *
 * nestjs-pino adapts Nest's Logger to pino; its per-request middleware (pino-http, a child logger
 * and an AsyncLocalStorage scope for every request) is left unmounted: it cost the gateway a
 * fifth of its CPU per charge, and the request context already carries the id.
 */
export function loggingModule(levels: LogLevel[]): DynamicModule {
  const root = pino({
    level: pinoLevel(levels),
    mixin: requestIdFields,
  });
  return {
    module: LoggingModule,
    imports: [LoggerModule.forRoot({ pinoHttp: { logger: root }, forRoutes: [] })],
    providers: [{ provide: RequestLog, useValue: new RequestLog(root) }],
    exports: [RequestLog],
  };
}
