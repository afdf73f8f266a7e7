import { ErrorCode } from '@tally/contracts';
import type { StreamDialect, StreamEvent } from '../metering/metered-stream';
import { eventData } from '../metering/server-sent-events';
import { producedText, reportedUsage } from './chat-usage';

/**
 * How a Chat Completions stream reads: chunks whose choices carry the output, a usage chunk at
 * the end (asked for by the gateway even when the client did not, and then kept from it), and
 * `[DONE]`, passed on only after the charge is recorded.
 */
export function chatStreamDialect(clientWantsUsage: boolean): StreamDialect {
  return {
    read(event: string): StreamEvent {
      const data = eventData(event);
      if (data === '[DONE]') return { outputBytes: 0, route: 'end' };
      let chunk:
        { id?: unknown; usage?: unknown; choices?: unknown[]; error?: unknown } | undefined;
      try {
        chunk = data === undefined ? undefined : (JSON.parse(data) as typeof chunk);
      } catch {
        chunk = undefined;
      }
      if (typeof chunk !== 'object' || chunk === null) return { outputBytes: 0, route: 'pass' };
      const usage = reportedUsage(chunk.usage);
      // The usage-only chunk the gateway asked for on its own account is not the client's.
      const usageOnly = usage && Array.isArray(chunk.choices) && chunk.choices.length === 0;
      return {
        outputBytes: Buffer.byteLength(producedText(chunk), 'utf8'),
        usage,
        upstreamId: typeof chunk.id === 'string' ? chunk.id : undefined,
        route: usageOnly && !clientWantsUsage ? 'drop' : 'pass',
        ...(chunk.error !== undefined ? { failure: true } : {}),
      };
    },

    /** OpenAI's shape, which the official client raises as an APIError. */
    errorEvent(code: ErrorCode, message: string): string {
      const type =
        code === ErrorCode.InsufficientCredits
          ? 'insufficient_credits'
          : code === ErrorCode.KeyBudgetExceeded
            ? 'insufficient_quota'
            : 'api_error';
      return `data: ${JSON.stringify({ error: { message, type, param: null, code } })}\n\n`;
    },
  };
}
