import type { LoggerService } from '@nestjs/common';
import pino from 'pino';

/**
 * Nest's own start-up chatter: a line per module loaded and per route mapped, then "started".
 * Dozens of lines that say nothing an operator acts on; at debug level, not at info.
 */
const START_UP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/** `inner`, with Nest's start-up lines moved down to debug. */
export function quietStartUp(inner: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest.at(-1);
      if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) {
        inner.debug?.(message, ...rest);
      } else {
        inner.log(message, ...rest);
      }
    },
    error: (message: unknown, ...rest: unknown[]) => void inner.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => void inner.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => void inner.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => void inner.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => void inner.fatal?.(message, ...rest),
  };
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * JSON lines (the app's own format) for what a process logs before its app's logger exists: a
 * configuration refused, migrations, the broker out of reach. Nest's console logger would write
 * coloured text there, escape codes and all, into files and `npm start`'s output.
 */
export function startingLogger(level = 'info'): LoggerService {
  const root = pino({ level });
  const write =
    (to: Level) =>
    (message: unknown, ...rest: unknown[]) => {
      const context = typeof rest.at(-1) === 'string' ? rest.at(-1) : undefined;
      if (message instanceof Error) root[to]({ context, err: message }, message.message);
      else root[to]({ context }, String(message));
    };
  return quietStartUp({
    log: write('info'),
    error: write('error'),
    warn: write('warn'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('fatal'),
  });
}
