import { chatStreamDialect } from '../chat/chat-stream';
import { DEFAULT_ANTHROPIC_VERSION } from '../messages/messages-request';
import { messagesStreamDialect } from '../messages/messages-stream';
import { ledgerUsage, mergeUsage, messageText } from '../messages/messages-usage';
import { messagesRequestFromChat } from './chat-request-to-messages';
import { chatCompletionFromMessage } from './message-to-chat-completion';
import { MessagesStreamToChat } from './messages-stream-to-chat';
import type { TranslatedCall } from './translated-call';
import { openAiErrorFromAnthropic } from './upstream-errors';

/**
 * A Chat Completions call served by an Anthropic upstream: sent as a Messages request (with
 * `maxTokens` as its max_tokens), metered on Anthropic's usage, answered in OpenAI's shape.
 * Throws the 400 of what does not translate.
 */
export function chatViaMessages(
  body: Record<string, unknown>,
  maxTokens: number,
  clientWantsUsage: boolean,
): TranslatedCall {
  return {
    path: '/messages',
    body: messagesRequestFromChat(body, maxTokens),
    headers: { 'anthropic-version': DEFAULT_ANTHROPIC_VERSION },
    metadata: { api: 'anthropic', client_api: 'openai' },
    streamDialect: () => {
      const upstream = messagesStreamDialect();
      const translator = new MessagesStreamToChat(clientWantsUsage);
      const caller = chatStreamDialect(clientWantsUsage);
      return {
        read: (event) => upstream.read(event),
        errorEvent: (code, message) => caller.errorEvent(code, message),
        translate: (event) => translator.translate(event),
      };
    },
    read: (message) => ({
      usage: ledgerUsage(mergeUsage(undefined, message.usage)),
      outputBytes: Buffer.byteLength(messageText(message), 'utf8'),
      upstreamId: typeof message.id === 'string' ? message.id : undefined,
    }),
    translation: { answer: chatCompletionFromMessage, error: openAiErrorFromAnthropic },
  };
}
