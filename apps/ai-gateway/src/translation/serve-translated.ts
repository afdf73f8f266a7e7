import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { answerMetered } from '../metering/metered-answer';
import type { MeteredCalls, OpenedCall } from '../metering/metered-calls';
import { MeteredStream } from '../metering/metered-stream';
import type { TranslatedCall } from './translated-call';

/**
 * Serves an opened call through an upstream of another API: sent in its terms, metered (the
 * reservation, the stream's stop at the last credit, the charge) on what it reports, answered
 * in the client's shape.
 */
export function serveTranslated(
  calls: MeteredCalls,
  opened: OpenedCall,
  translated: TranslatedCall,
  request: { stream: boolean; promptTokens: number },
  res: Response,
  logger: Logger,
): Promise<void> {
  const { path, body, headers, metadata, translation } = translated;
  const { promptTokens } = request;
  return calls.serve(opened, () =>
    request.stream
      ? new MeteredStream(
          opened,
          {
            path,
            body,
            headers,
            metadata,
            promptTokens,
            translation,
            dialect: translated.streamDialect(),
          },
          res,
          logger,
        ).run()
      : answerMetered(
          opened,
          {
            path,
            body,
            headers,
            metadata,
            promptTokens,
            translation,
            read: (answer) => translated.read(answer),
          },
          res,
          logger,
        ),
  );
}
