import { ErrorCode } from '@tally/contracts';
import type { StreamDialect, StreamEvent } from '../metering/metered-stream';
import { eventData } from '../metering/server-sent-events';
import { deltaText, reportedResponseUsage } from './responses-usage';

/** The events that end a response; they carry its final usage. */
const TERMINAL = ['response.completed', 'response.incomplete', 'response.failed'];

/**
 * How a Responses API stream reads: typed events (`response.created`, `*.delta`, ...) passed on
 * as they come, and the terminal one (`response.completed` with the usage) passed on only once
 * the charge is recorded. An error the gateway adds is an `error` event numbered after the last.
 */
export function responsesStreamDialect(): StreamDialect {
  let lastSequence = -1;
  return {
    read(event: string): StreamEvent {
      const data = eventData(event);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = data === undefined ? undefined : (JSON.parse(data) as typeof parsed);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null) return { outputBytes: 0, route: 'pass' };
      if (Number.isSafeInteger(parsed.sequence_number)) {
        lastSequence = Math.max(lastSequence, parsed.sequence_number as number);
      }
      const response = parsed.response as { id?: unknown; usage?: unknown } | undefined;
      const terminal = typeof parsed.type === 'string' && TERMINAL.includes(parsed.type);
      return {
        outputBytes: Buffer.byteLength(deltaText(parsed), 'utf8'),
        usage: terminal ? reportedResponseUsage(response?.usage) : undefined,
        upstreamId: typeof response?.id === 'string' ? response.id : undefined,
        route: terminal ? 'end' : 'pass',
        ...(parsed.type === 'error' ? { failure: true } : {}),
      };
    },

    /** OpenAI's `error` stream event, which the official client raises as an APIError. */
    errorEvent(code: ErrorCode, message: string): string {
      const error = { type: 'error', code, message, param: null, sequence_number: ++lastSequence };
      return `event: error\ndata: ${JSON.stringify(error)}\n\n`;
    },
  };
}
