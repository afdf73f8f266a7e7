import type { Logger } from '@nestjs/common';
import { ErrorCode, type ChargeUsage } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Response } from 'express';
import { viaRequest, type TranslatedCall } from '../translation/translated-call';
import type { UpstreamApi } from '../upstreams/upstream-routes';
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
  /** The upstream speaks another API than the client: its answers in the client's shape. */
  translation?: AnswerTranslation;
  /**
   * The call put in the other API, for the deployments speaking it: when one of them serves, its
   * answer is read, and put back in the client's shape, through it.
   */
  via?: TranslatedCall;
}

/** How the answers of an upstream speaking another API are put in the client's (translation/). */
export interface AnswerTranslation {
  /** The client's answer for the upstream's (a JSON object, read and charged as it came). */
  answer(upstream: Record<string, unknown>): unknown;
  /** The client's error body for the upstream's error answer (its status kept). */
  error(status: number, text: string): unknown;
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
    const { path, body, headers, via } = answer;
    const upstream = await exchange.send(path, body, headers, via && viaRequest(via));
    res.setHeader(SERVED_BY_HEADER, exchange.upstream.id);
    answer = servedAnswer(answer, exchange.upstream.api);
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
  const { translation } = answer;
  if (status < 200 || status >= 300) {
    await call.abandon();
    if (translation) res.status(status).json(translation.error(status, text));
    else res.status(status).type(contentType).send(text);
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
  if (translation) res.status(status).json(translation.answer(parsed as Record<string, unknown>));
  else res.status(status).type(contentType).send(text);
}

/** The answer as the serving deployment's API has it: translated when it is the other one. */
function servedAnswer(answer: MeteredAnswer, api: UpstreamApi): MeteredAnswer {
  const { via } = answer;
  if (!via || via.metadata.api !== api) return answer;
  return {
    ...answer,
    metadata: { ...answer.metadata, ...via.metadata },
    read: (upstream) => via.read(upstream),
    translation: via.translation,
  };
}
