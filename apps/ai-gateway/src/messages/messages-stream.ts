import type { ErrorCode } from '@tally/contracts';
import type { StreamDialect, StreamEvent } from '../metering/metered-stream';
import { eventData } from '../metering/server-sent-events';
import { anthropicError, anthropicErrorType } from './anthropic-error-shape';
import { AnthropicUsage, ledgerUsage, mergeUsage, producedText } from './messages-usage';

/**
 * How an Anthropic Messages stream reads: its events (message_start, content_block_*,
 * message_delta, ping, ...) passed on as they come; the usage merged from message_start (input,
 * cache) and message_delta (the running output); `message_stop` passed on only once the charge
 * is recorded. An error the gateway adds is an `error` event in Anthropic's shape.
 */
export function messagesStreamDialect(): StreamDialect {
  let usage: AnthropicUsage | undefined;
  return {
    read(event: string): StreamEvent {
      const parsed = parse(eventData(event));
      switch (parsed?.type) {
        case 'message_start': {
          const message = parsed.message as { id?: unknown; usage?: unknown } | undefined;
          usage = mergeUsage(usage, message?.usage);
          return {
            ...counted(0),
            upstreamId: typeof message?.id === 'string' ? message.id : undefined,
          };
        }
        case 'content_block_start':
          return counted(Buffer.byteLength(producedText(parsed.content_block), 'utf8'));
        case 'content_block_delta':
          return counted(Buffer.byteLength(producedText(parsed.delta), 'utf8'));
        case 'message_delta':
          usage = mergeUsage(usage, parsed.usage);
          return counted(0);
        case 'message_stop':
          return { ...counted(0), route: 'end' };
        case 'error':
          return { ...counted(0), failure: true };
        default:
          return counted(0);
      }
    },

    /** Anthropic's `error` stream event, which its official client raises as an APIError. */
    errorEvent(code: ErrorCode, message: string): string {
      const error = anthropicError(anthropicErrorType(500, code), message);
      return `event: error\ndata: ${JSON.stringify(error)}\n\n`;
    },
  };

  function counted(outputBytes: number): StreamEvent {
    return {
      outputBytes,
      outputTokens: usage?.output_tokens,
      usage: ledgerUsage(usage),
      route: 'pass',
    };
  }
}

function parse(data: string | undefined): Record<string, unknown> | undefined {
  if (data === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
