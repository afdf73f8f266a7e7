import { chatStreamDialect } from '../chat/chat-stream';
import { producedText, reportedUsage } from '../chat/chat-usage';
import { messagesStreamDialect } from '../messages/messages-stream';
import { ChatStreamToMessages } from './chat-stream-to-messages';
import { messageFromChatCompletion } from './chat-completion-to-message';
import { chatRequestFromMessages } from './messages-request-to-chat';
import type { TranslatedCall } from './translated-call';
import { anthropicErrorFromOpenAi } from './upstream-errors';

/**
 * A Messages call served by an OpenAI upstream: sent as a Chat Completions request (a stream
 * asks for the usage chunk), metered on OpenAI's usage, answered in Anthropic's shape. Throws the
 * 400 of what does not translate.
 */
export function messagesViaChat(body: Record<string, unknown>): TranslatedCall {
  return {
    path: '/chat/completions',
    body: chatRequestFromMessages(body),
    headers: {},
    metadata: { api: 'openai', client_api: 'anthropic' },
    streamDialect: () => {
      // The usage chunk is read (and translated into message_delta), never dropped.
      const upstream = chatStreamDialect(true);
      const translator = new ChatStreamToMessages();
      const caller = messagesStreamDialect();
      return {
        read: (event) => upstream.read(event),
        errorEvent: (code, message) => caller.errorEvent(code, message),
        translate: (event) => translator.translate(event),
      };
    },
    read: (completion) => ({
      usage: reportedUsage(completion.usage),
      outputBytes: Buffer.byteLength(producedText(completion), 'utf8'),
      upstreamId: typeof completion.id === 'string' ? completion.id : undefined,
    }),
    translation: { answer: messageFromChatCompletion, error: anthropicErrorFromOpenAi },
  };
}
