import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';

/** Past this, connections still open are cut and the process exits non-zero. */
const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * SIGTERM (and SIGINT) handling of a served app, in this order: stop accepting connections and
 * let the requests in flight finish (their transactions commit, their answers go out, keep-alive
 * connections are closed as they go idle); then close the app, whose hooks let the outbox relay
 * publish what was committed, the consumer finish and commit its batch, and disconnect from Kafka
 * and the database; then exit 0. (Nest's own enableShutdownHooks would close the app, and so
 * the database, while requests are still running.)
 */
export function closeGracefullyOnSignals(app: NestExpressApplication, logger: Logger): void {
  let closing = false;
  const server: Server = app.getHttpServer();
  app.use(
    (_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      if (closing) res.setHeader('connection', 'close');
      next();
    },
  );
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: no new requests; finishing those in flight`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open; busy ones are closed once answered.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      server.once('close', () => clearInterval(idle));
      server.closeIdleConnections();
    });
    logger.log('requests finished; closing the relay, consumers and connections');
    await app.close();
    logger.log('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (received) => void shutdown(received));
  }
}
