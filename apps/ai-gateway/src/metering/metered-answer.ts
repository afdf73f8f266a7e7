import type { Logger } from '@nestjs/common';
import { ErrorCode, type ChargeUsage } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Response } from 'express';
import { SERVED_BY_HEADER, type OpenedCall } from './metered-calls';
import { fewestTokensForBytes, tokensForBytes } from './token-estimate';

/** What a surface reads in a whole (not streamed) answer. */
export interface AnswerReading {
  /** The usage the upstream reported, undefined when it reported none. */
  usage?: ChargeUsage;
  /** UTF-8 bytes of output in the answer: counted when it reported no usage, or an implausible one. */
  outputBytes: number;
  /** The upstream's id of the answer (the charge's reference). */
  upstreamId?: string;
}

export interface MeteredAnswer {
  path: string;
  body: Record<string, unknown>;
  /** Headers the upstream's API needs beside its key (e.g. `anthropic-version`). */
  headers?: Record<string, string>;
  /** Added to the charge's metadata (e.g. `api: "anthropic"`). */
  metadata?: Record<string, unknown>;
  promptTokens: number;
  read(answer: Record<string, unknown>): AnswerReading;
  /** Called once the charge is recorded, before the client has the answer. */
  served?(reading: AnswerReading, usage: ChargeUsage): Promise<void>;
}

/**
 * One JSON call: the upstream's answer is passed back unchanged once what it reported (or,
 * failing a report, what was counted) is charged. An upstream refusal, or the last failure when
 * every try failed, is the client's answer as is, and charges nothing.
 */
export async function answerMetered(
  { call, exchange }: OpenedCall,
  answer: MeteredAnswer,
  res: Response,
  logger: Logger,
): Promise<void> {
  let status: number;
  let text: string;
  let contentType: string;
  try {
    const upstream = await exchange.send(answer.path, answer.body, answer.headers);
    res.setHeader(SERVED_BY_HEADER, exchange.upstream.id);
    status = upstream.status;
    contentType = upstream.headers.get('content-type') ?? 'application/json';
    text = await upstream.text().catch((error: unknown) => {
      throw exchange.failure(error);
    });
    exchange.finish();
  } catch (error) {
    await call.abandon();
    throw error;
  }
  if (status < 200 || status >= 300) {
    await call.abandon();
    res.status(status).type(contentType).send(text);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    await call.abandon();
    throw new DomainError(
      ErrorCode.UpstreamError,
      'the upstream answered 2xx with a body that is not a JSON object',
    );
  }
  const reading = answer.read(parsed as Record<string, unknown>);
  // A reported output below the fewest tokens the answer's text can be is not its output.
  const trusted =
    reading.usage !== undefined &&
    (reading.usage.output_tokens ?? 0) >= fewestTokensForBytes(reading.outputBytes);
  const usage: ChargeUsage = trusted
    ? reading.usage!
    : {
        ...(reading.usage ?? { input_tokens: answer.promptTokens }),
        output_tokens: tokensForBytes(reading.outputBytes),
      };
  try {
    await call.settle(
      usage,
      {
        ...answer.metadata,
        stream: false,
        usage_source: trusted ? 'upstream' : 'estimated',
        finish: 'completed',
      },
      reading.upstreamId,
    );
  } catch (error) {
    // Refused (not a passing fault, which is retried): not answered, and not left reserved.
    await call.abandon().catch(() => undefined);
    throw error;
  }
  await answer.served?.(reading, usage).catch((error: unknown) => {
    logger.warn(`could not note a served call: ${String(error)}`);
  });
  res.status(status).type(contentType).send(text);
}
